// The app's user-assigned identity: one principal for storage, telemetry ingestion, Key Vault
// references and Entra tokens to Azure ML targets. Created first so its roles exist before the app starts.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
