// Flex Consumption Function App (.NET isolated) running as the user-assigned identity.
// Every setting the app reads (src/Warmup.Functions/Configuration/AppSettingNames.cs) is set here;
// a test in tests/Warmup.Infra.Tests checks that against the compiled template.

param name string
param planName string
param location string
param tags object

param identityId string
param identityClientId string

param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainerName string
param deploymentQueueName string
param deadLetterQueueName string

@secure()
@description('Application Insights connection string (Entra-only ingestion, so it grants nothing by itself).')
param applicationInsightsConnectionString string

param keyVaultName string

@description('Warm-up targets (JSON array, the targets section of a config file). Serialised into WARMUP_TARGETS.')
param targets array

@description('NCRONTAB schedule (UTC) of the idle re-warm timer.')
param idleSchedule string

@description('Seconds after a warm-up started during which another deployment event for the same target counts as the same deployment.')
@minValue(0)
param deploymentDebounceSeconds int

@description('Minutes after a completed warm-up during which the idle timer leaves a target alone.')
@minValue(1)
param idleWindowMinutes int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready instances for the Durable group (0 scales from zero; 1 removes orchestration start latency at a fixed cost).')
@minValue(0)
@maxValue(10)
param durableAlwaysReadyInstances int

@description('Key Vault secret name for an API-key app setting: lower case, underscores become dashes (secret names allow only letters, digits and dashes).')
func apiKeySecretName(setting string) string => replace(toLower(setting), '_', '-')

// One Key Vault reference per target API key, named by the target's auth.apiKeySetting.
var apiKeySettings = toObject(
  filter(targets, t => !empty(t.?auth.?apiKeySetting ?? '')),
  t => string(t.auth.apiKeySetting),
  t => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${apiKeySecretName(string(t.auth.apiKeySetting))})'
)

// Identity-based host storage: no connection string, no keys.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
}

var warmupSettings = {
  WARMUP_TARGETS: string(targets)
  WARMUP_IDLE_SCHEDULE: idleSchedule
  WARMUP_DEPLOYMENT_QUEUE: deploymentQueueName
  WARMUP_DEADLETTER_QUEUE: deadLetterQueueName
  WARMUP_DEPLOYMENT_DEBOUNCE_SECONDS: string(deploymentDebounceSeconds)
  WARMUP_IDLE_WINDOW_MINUTES: string(idleWindowMinutes)
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: durableAlwaysReadyInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: durableAlwaysReadyInstances
              }
            ]
          : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Settings replace the whole set, so the template is the single source of truth for them.
// Reserved names come last in the union so a target's apiKeySetting can never shadow them.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(apiKeySettings, hostSettings, warmupSettings)
}

// azd deploys with an Entra token (OneDeploy); basic-auth publishing stays off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
