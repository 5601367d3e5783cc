// Roles for Event Grid system-topic identities on the app's storage, scoped as narrowly as Azure allows:
// send-only on the deployment queue, blob write on the dead-letter container.

param storageAccountName string
param deploymentQueueName string
param deadLetterContainerName string

@description('System topic names, in the same order as topicPrincipalIds (deterministic seeds of the role assignment names).')
param topicNames string[]

@description('Principal ids of the system topics\' system-assigned identities.')
param topicPrincipalIds string[]

var queueMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource queue 'queues' existing = {
      name: deploymentQueueName
    }
  }

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetter 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (topicName, i) in topicNames: {
    name: guid(storage::queueService::queue.id, topicName, queueMessageSender)
    scope: storage::queueService::queue
    properties: {
      principalId: topicPrincipalIds[i]
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueMessageSender)
    }
  }
]

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (topicName, i) in topicNames: {
    name: guid(storage::blobService::deadLetter.id, topicName, blobDataContributor)
    scope: storage::blobService::deadLetter
    properties: {
      principalId: topicPrincipalIds[i]
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
    }
  }
]
