// Log alert on the workspace: fires for each target whose warm-up run ended not warm, never ready or
// failed. The rule runs its query as its own system-assigned identity (Log Analytics Reader on the
// workspace only). The query lives in infra/queries/alert-run-not-warm.kql.

param name string
param location string
param tags object
param workspaceName string

@description('E-mail address for the action group; empty creates no action group (the alert still shows in Azure Monitor).')
param alertEmail string

@minValue(0)
@maxValue(4)
param severity int

var logAnalyticsReader = '73c42c96-874c-492b-b04d-ab87d138a893'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'warmup'
    enabled: true
    emailReceivers: [
      {
        name: 'warmup-owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource rule 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    displayName: 'Warm-up run not warm or failed'
    description: 'A WarmupRunCompleted event reported a verdict other than warm (not-warm, never-ready or failed; cancelled runs are ignored). One alert per target.'
    severity: severity
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    // App* tables appear only after the first telemetry arrives; validate at evaluation time instead.
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('../queries/alert-run-not-warm.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'target'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'verdict'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}

resource ruleReadsWorkspace 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, rule.id, logAnalyticsReader)
  scope: workspace
  properties: {
    principalId: rule.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', logAnalyticsReader)
  }
}

output id string = rule.id
