// Delivers matching events from a system topic to the app's Storage queue, authenticating as the
// topic's system-assigned identity (no keys, no SAS). Undeliverable events are dead-lettered to a blob
// container, also with the identity. Queue delivery needs no validation handshake, so this can be
// created before the app code is deployed.

param topicName string
param subscriptionName string

param storageAccountId string
param queueName string
param deadLetterContainerName string

param includedEventTypes string[]

@description('Subject prefix filter (case-insensitive); empty for none.')
param subjectBeginsWith string

@description('Event Grid advanced filters (operatorType, key, values).')
param advancedFilters object[]

@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int

@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int

@description('Seconds a delivered message lives in the queue.')
param queueMessageTimeToLiveInSeconds int

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccountId
          queueName: queueName
          queueMessageTimeToLiveInSeconds: queueMessageTimeToLiveInSeconds
        }
      }
    }
    filter: {
      includedEventTypes: includedEventTypes
      subjectBeginsWith: subjectBeginsWith
      isSubjectCaseSensitive: false
      enableAdvancedFilteringOnArrays: true
      advancedFilters: advancedFilters
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = subscription.name
