// Warmup: Azure Functions (Flex Consumption, .NET isolated, Durable) that warms LLM inference
// endpoints after deployments, on an idle timer and on demand. Provisioned with `azd up`.
targetScope = 'subscription'

import { warmupTarget } from 'types.bicep'

// ---------- environment ----------

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Region for every regional resource. Flex Consumption must be available there.')
param location string

@description('Resource group to create or reuse; defaults to rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the person or pipeline running azd (AZURE_PRINCIPAL_ID): gets Key Vault Secrets Officer to store target API keys. Empty skips it.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// ---------- warm-up behaviour (app settings) ----------

@description('Warm-up targets, serialised into WARMUP_TARGETS. API keys stay in Key Vault (see types.bicep).')
param targets warmupTarget[] = []

@description('NCRONTAB schedule (UTC) of the idle re-warm timer (WARMUP_IDLE_SCHEDULE). Default: hourly at minute 5.')
param idleSchedule string = '0 5 * * * *'

@description('Storage queue that receives deployment events (WARMUP_DEPLOYMENT_QUEUE).')
@minLength(3)
@maxLength(63)
param deploymentQueueName string = 'deployment-events'

@description('Storage queue where the app moves deployment queue messages that are not events, with the reason and the original text (WARMUP_DEADLETTER_QUEUE).')
@minLength(3)
@maxLength(63)
param deadLetterQueueName string = 'deployment-events-deadletter'

@description('Seconds during which further deployment events for a target that is already warming count as the same deployment (WARMUP_DEPLOYMENT_DEBOUNCE_SECONDS).')
@minValue(0)
param deploymentDebounceSeconds int = 60

@description('Minutes after a completed warm-up during which the idle timer leaves a target alone (WARMUP_IDLE_WINDOW_MINUTES).')
@minValue(1)
param idleWindowMinutes int = 30

// ---------- Function App ----------

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for Durable (0 = scale from zero).')
@minValue(0)
@maxValue(10)
param durableAlwaysReadyInstances int = 0

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Key Vault purge protection. Recommended for production; leave off for throw-away azd environments (azd down --purge).')
param keyVaultPurgeProtection bool = false

@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

// ---------- deployment events (Event Grid) ----------

@description('Which ARM activity to watch: resourceGroup (one resource group), subscription (all of it) or none.')
@allowed([
  'resourceGroup'
  'subscription'
  'none'
])
param eventSourceScope string = 'resourceGroup'

@description('Resource group whose ARM events are watched when eventSourceScope is resourceGroup; defaults to the app\'s own.')
param watchedResourceGroupName string = ''

@description('Name of the ARM system topic. Azure allows one system topic per source: pass the existing one\'s name to reuse it.')
param armSystemTopicName string = ''

@description('ARM event types to deliver.')
param armEventTypes string[] = [
  'Microsoft.Resources.ResourceWriteSuccess'
]

@description('data.operationName values that mean "a model deployment changed" (StringIn filter). Event Grid allows 25 advanced-filter values per subscription in total.')
@maxLength(25)
param watchedOperations string[] = [
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write'
  'Microsoft.CognitiveServices/accounts/deployments/write'
  'Microsoft.App/containerApps/write'
]

@description('Optional data.resourceUri prefixes (StringBeginsWith), e.g. one online endpoint\'s id.')
param watchedResourceUriPrefixes string[] = []

@description('Optional subject prefix filter for ARM events, e.g. /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>.')
param eventSubjectBeginsWith string = ''

@description('Optional Azure ML workspace resource id whose own system topic (ModelDeployed) is also watched.')
param azureMlWorkspaceId string = ''

@description('Region of that workspace (its system topic must be there).')
param azureMlWorkspaceLocation string = location

param azureMlEventTypes string[] = [
  'Microsoft.MachineLearningServices.ModelDeployed'
]

@description('Optional container registry resource id whose ImagePushed events are watched.')
param containerRegistryId string = ''

@description('Region of that registry.')
param containerRegistryLocation string = location

@description('Optional repositories (data.target.repository) to accept from the registry; empty accepts all.')
param containerRegistryRepositories string[] = []

@minValue(1)
@maxValue(30)
param eventMaxDeliveryAttempts int = 30

@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

@description('Seconds a deployment event waits in the queue before it expires.')
param queueMessageTimeToLiveInSeconds int = 86400

// ---------- Azure ML targets with Entra tokens ----------

@description('Azure ML workspace ids whose online endpoints the app calls with Entra tokens (auth.entraScope https://ml.azure.com/.default). The app identity gets azureMlScoringRoleDefinitionId on each.')
param azureMlScoringWorkspaceIds string[] = []

@description('Role for scoring: AzureML Data Scientist by default, or a custom role with Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action only.')
param azureMlScoringRoleDefinitionId string = 'f6c7c914-8db3-469d-8ca1-694a8f32e121'

// ---------- alerting ----------

@description('E-mail for the "run not warm or failed" alert; empty creates the alert without an action group.')
param alertEmail string = ''

@minValue(0)
@maxValue(4)
param alertSeverity int = 2

// ---------- names ----------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'warmup'
}
var rgName = empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
var deploymentContainerName = 'app-package-${resourceToken}'
var deadLetterContainerName = 'eventgrid-deadletter'
var identityName = 'id-warmup-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: rgName
  location: location
  tags: tags
}

// ---------- core resources ----------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    deploymentQueueName: deploymentQueueName
    deadLetterQueueName: deadLetterQueueName
    deadLetterContainerName: deadLetterContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module appAccess 'modules/app-access.bicep' = {
  name: 'app-access'
  scope: rg
  params: {
    identityName: identityName
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    keyVaultName: keyVaultName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
  // Names are passed as plain values (precise what-if), so the order is stated here.
  dependsOn: [
    storage
    monitoring
    keyVault
  ]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    deploymentQueueName: storage.outputs.deploymentQueueName
    deadLetterQueueName: storage.outputs.deadLetterQueueName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: keyVault.outputs.name
    targets: targets
    idleSchedule: idleSchedule
    deploymentDebounceSeconds: deploymentDebounceSeconds
    idleWindowMinutes: idleWindowMinutes
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    durableAlwaysReadyInstances: durableAlwaysReadyInstances
  }
  // The host starts as soon as the site exists: let its storage and Key Vault roles be in place first.
  dependsOn: [
    appAccess
  ]
}

module azureMlAccess 'modules/azureml-access.bicep' = [
  for workspaceId in azureMlScoringWorkspaceIds: {
    name: 'azureml-access-${uniqueString(workspaceId)}'
    scope: resourceGroup(split(workspaceId, '/')[2], split(workspaceId, '/')[4])
    params: {
      workspaceName: last(split(workspaceId, '/'))
      identityName: identityName
      principalId: identity.outputs.principalId
      roleDefinitionId: azureMlScoringRoleDefinitionId
    }
  }
]

// ---------- deployment events: system topics -> Storage queue ----------

var watchedRgName = empty(watchedResourceGroupName) ? rgName : watchedResourceGroupName

var armAdvancedFilters = concat(
  empty(watchedOperations)
    ? []
    : [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: watchedOperations
        }
      ],
  empty(watchedResourceUriPrefixes)
    ? []
    : [
        {
          operatorType: 'StringBeginsWith'
          key: 'data.resourceUri'
          values: watchedResourceUriPrefixes
        }
      ]
)

var armTopicName = empty(armSystemTopicName) ? 'evgt-warmup-arm-${resourceToken}' : armSystemTopicName

// One entry per watched source. Each topic lives in its source's resource group.
var eventSources = concat(
  eventSourceScope == 'resourceGroup'
    ? [
        {
          key: 'arm'
          topicName: armTopicName
          topicType: 'Microsoft.Resources.ResourceGroups'
          source: '${subscription().id}/resourceGroups/${watchedRgName}'
          location: 'global'
          subscriptionId: subscription().subscriptionId
          resourceGroupName: watchedRgName
          includedEventTypes: armEventTypes
          subjectBeginsWith: eventSubjectBeginsWith
          advancedFilters: armAdvancedFilters
        }
      ]
    : [],
  eventSourceScope == 'subscription'
    ? [
        {
          key: 'arm'
          topicName: armTopicName
          topicType: 'Microsoft.Resources.Subscriptions'
          source: subscription().id
          location: 'global'
          subscriptionId: subscription().subscriptionId
          resourceGroupName: rgName
          includedEventTypes: armEventTypes
          subjectBeginsWith: eventSubjectBeginsWith
          advancedFilters: armAdvancedFilters
        }
      ]
    : [],
  empty(azureMlWorkspaceId)
    ? []
    : [
        {
          key: 'azureml'
          topicName: 'evgt-warmup-aml-${resourceToken}'
          topicType: 'Microsoft.MachineLearningServices.Workspaces'
          source: azureMlWorkspaceId
          location: azureMlWorkspaceLocation
          subscriptionId: split(azureMlWorkspaceId, '/')[2]
          resourceGroupName: split(azureMlWorkspaceId, '/')[4]
          includedEventTypes: azureMlEventTypes
          subjectBeginsWith: ''
          advancedFilters: []
        }
      ],
  empty(containerRegistryId)
    ? []
    : [
        {
          key: 'acr'
          topicName: 'evgt-warmup-acr-${resourceToken}'
          topicType: 'Microsoft.ContainerRegistry.Registries'
          source: containerRegistryId
          location: containerRegistryLocation
          subscriptionId: split(containerRegistryId, '/')[2]
          resourceGroupName: split(containerRegistryId, '/')[4]
          includedEventTypes: [
            'Microsoft.ContainerRegistry.ImagePushed'
          ]
          subjectBeginsWith: ''
          advancedFilters: empty(containerRegistryRepositories)
            ? []
            : [
                {
                  operatorType: 'StringIn'
                  key: 'data.target.repository'
                  values: containerRegistryRepositories
                }
              ]
        }
      ]
)

module topics 'modules/eventgrid-topic.bicep' = [
  for source in eventSources: {
    name: 'eventgrid-topic-${source.key}'
    scope: resourceGroup(source.subscriptionId, source.resourceGroupName)
    params: {
      name: source.topicName
      location: source.location
      tags: tags
      source: source.source
      topicType: source.topicType
    }
    // The watched resource group may be the one created above.
    dependsOn: [
      rg
    ]
  }
]

module topicAccess 'modules/eventgrid-access.bicep' = {
  name: 'eventgrid-access'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    deploymentQueueName: deploymentQueueName
    deadLetterContainerName: deadLetterContainerName
    topicNames: [for source in eventSources: source.topicName]
    topicPrincipalIds: [for (source, i) in eventSources: topics[i].outputs.principalId]
  }
  dependsOn: [
    storage
  ]
}

module eventSubscriptions 'modules/eventgrid-subscription.bicep' = [
  for (source, i) in eventSources: {
    name: 'eventgrid-subscription-${source.key}'
    scope: resourceGroup(source.subscriptionId, source.resourceGroupName)
    params: {
      topicName: source.topicName
      subscriptionName: 'warmup-deployments'
      storageAccountId: storage.outputs.id
      queueName: storage.outputs.deploymentQueueName
      deadLetterContainerName: storage.outputs.deadLetterContainerName
      includedEventTypes: source.includedEventTypes
      subjectBeginsWith: source.subjectBeginsWith
      advancedFilters: source.advancedFilters
      maxDeliveryAttempts: eventMaxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
      queueMessageTimeToLiveInSeconds: queueMessageTimeToLiveInSeconds
    }
    // Delivery authenticates as the topic identity: its queue and dead-letter roles come first.
    dependsOn: [
      topicAccess
    ]
  }
]

// ---------- results: workbook and alert ----------

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    name: guid(subscription().id, rgName, 'warmup-workbook')
    displayName: 'Warmup: TTFT before and after warm-up'
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    name: 'alert-warmup-not-warm-${resourceToken}'
    location: location
    tags: tags
    workspaceName: logAnalyticsName
    alertEmail: alertEmail
    severity: alertSeverity
  }
  dependsOn: [
    monitoring
  ]
}

// ---------- outputs (azd stores them in the environment) ----------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_CLIENT_ID string = identity.outputs.clientId
output AZURE_USER_ASSIGNED_IDENTITY_NAME string = identity.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output WARMUP_DEPLOYMENT_QUEUE string = storage.outputs.deploymentQueueName
output WARMUP_DEADLETTER_QUEUE string = storage.outputs.deadLetterQueueName
output WARMUP_WORKBOOK_ID string = workbook.outputs.id
output WARMUP_ALERT_RULE_ID string = alerts.outputs.id
