// One Event Grid system topic for an event source (resource group, subscription, Azure ML workspace or
// container registry), with a system-assigned identity used to deliver to the queue. Deployed into the
// source's resource group: Azure allows one system topic per source.

param name string

@description('Location of the source: global for resource groups and subscriptions, the resource location otherwise.')
param location string

param tags object

@description('Resource id of the event source.')
param source string

@allowed([
  'Microsoft.Resources.ResourceGroups'
  'Microsoft.Resources.Subscriptions'
  'Microsoft.MachineLearningServices.Workspaces'
  'Microsoft.ContainerRegistry.Registries'
])
param topicType string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: source
    topicType: topicType
  }
}

output name string = topic.name
output principalId string = topic.identity.principalId
