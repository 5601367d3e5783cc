// Azure Monitor workbook over the Log Analytics workspace. The layout lives in
// infra/workbook/warmup-workbook.json; each query is kept once in infra/queries/*.kql and spliced into
// the layout here, replacing its "{{query:<file>}}" placeholder with the JSON-escaped query text
// (and "{{workspaceId}}" with the workspace the workbook opens on).

param name string
param displayName string
param location string
param tags object
param workspaceId string

var layout = loadTextContent('../workbook/warmup-workbook.json')

// string([x]) serialises x as a JSON string (escaped, quoted) inside an array; strip the brackets.
func jsonString(text string) string => substring(string([text]), 1, max(0, length(string([text])) - 2))

var serialized = reduce(
  [
    { placeholder: '"{{query:ttft-before-after.kql}}"', query: loadTextContent('../queries/ttft-before-after.kql') }
    { placeholder: '"{{query:run-verdicts.kql}}"', query: loadTextContent('../queries/run-verdicts.kql') }
    { placeholder: '"{{query:ttft-metrics.kql}}"', query: loadTextContent('../queries/ttft-metrics.kql') }
    { placeholder: '"{{query:failures.kql}}"', query: loadTextContent('../queries/failures.kql') }
    { placeholder: '"{{query:skipped-and-ignored.kql}}"', query: loadTextContent('../queries/skipped-and-ignored.kql') }
  ],
  replace(layout, '{{workspaceId}}', workspaceId),
  (text, q) => replace(string(text), q.placeholder, jsonString(q.query))
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: workspaceId
    serializedData: serialized
  }
}

output id string = workbook.id
