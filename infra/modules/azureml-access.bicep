// Optional: lets the app identity call an Azure ML workspace's online endpoints with Entra tokens
// (scope https://ml.azure.com/.default). Scoring needs
// Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action; AzureML Data Scientist
// includes it, or pass a custom role that grants only that action (see docs/deploy.md).

param workspaceName string
@description('Name of the app identity (seed of the role assignment name).')
param identityName string

param principalId string

@description('Role definition id (GUID) to assign on the workspace.')
param roleDefinitionId string

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: workspaceName
}

resource scorer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, identityName, roleDefinitionId)
  scope: workspace
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
  }
}
