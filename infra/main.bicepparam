// Parameters for `azd up` (azd fills AZURE_* from the environment; `azd env set NAME value` for the rest).
// Also used offline by tests/Warmup.Infra.Tests (bicep build-params / snapshot).
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'warmup-dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

// JSON array of targets; see docs/deploy.md and infra/types.bicep for the shape.
param targets = json(readEnvironmentVariable('WARMUP_TARGETS_JSON', '[]'))
param idleSchedule = readEnvironmentVariable('WARMUP_IDLE_SCHEDULE', '0 5 * * * *')
param deploymentDebounceSeconds = int(readEnvironmentVariable('WARMUP_DEPLOYMENT_DEBOUNCE_SECONDS', '60'))
param idleWindowMinutes = int(readEnvironmentVariable('WARMUP_IDLE_WINDOW_MINUTES', '30'))

param eventSourceScope = readEnvironmentVariable('WARMUP_EVENT_SCOPE', 'resourceGroup')
param watchedResourceGroupName = readEnvironmentVariable('WARMUP_WATCHED_RESOURCE_GROUP', '')
param armSystemTopicName = readEnvironmentVariable('WARMUP_ARM_SYSTEM_TOPIC', '')
param azureMlWorkspaceId = readEnvironmentVariable('WARMUP_AZUREML_WORKSPACE_ID', '')
param containerRegistryId = readEnvironmentVariable('WARMUP_ACR_ID', '')
param azureMlScoringWorkspaceIds = json(readEnvironmentVariable('WARMUP_AZUREML_SCORING_WORKSPACE_IDS', '[]'))

param keyVaultPurgeProtection = bool(readEnvironmentVariable('WARMUP_KEYVAULT_PURGE_PROTECTION', 'false'))
param alertEmail = readEnvironmentVariable('WARMUP_ALERT_EMAIL', '')
