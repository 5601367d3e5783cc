// Shape of a warm-up target as the app reads it from WARMUP_TARGETS (mirrors
// src/Warmup.Core/Targets/WarmupTarget.cs, camelCase JSON). Typed here so a bad parameter fails at
// deployment validation instead of at app start.

@export()
type targetAuth = {
  @description('App setting holding the API key. The template sets it to a Key Vault reference to the secret named like the setting in lower case with dashes (VLLM_API_KEY -> vllm-api-key).')
  apiKeySetting: string?

  @description('Entra ID scope for a bearer token from the app identity, e.g. https://ml.azure.com/.default.')
  entraScope: string?

  @description('Azure ML: deployment pinned with the azureml-model-deployment header.')
  azureMlDeployment: string?
}

@export()
type targetLimits = {
  maxConcurrency: int?
  maxTokensPerRun: int?

  @description('TimeSpan, e.g. 00:15:00.')
  readyDeadline: string?

  @description('TimeSpan, e.g. 00:02:00.')
  requestTimeout: string?
}

@export()
type eventMatchRule = {
  eventTypes: string[]?
  resourceIdPrefix: string?
  resourceIdPattern: string?
  repository: string?
}

@export()
type warmupTarget = {
  name: string

  @description('Server root, e.g. https://my-endpoint.swedencentral.inference.ml.azure.com/ (no /v1).')
  baseUrl: string

  @description('openai, vllm, tgi, sglang, llamacpp, ollama, triton or azureml.')
  dialect: string?

  model: string
  adapters: string[]?

  @description('openai dialect: completions or chat.')
  api: string?

  auth: targetAuth?
  limits: targetLimits?

  @description('Upper edges (tokens) of the prefill shapes the server compiles; default powers of two from 32 to the context window.')
  promptBuckets: int[]?

  @description('Decode batch sizes the server captures graphs for; default vLLM 1, 2, 4, 8, 16, 24, 32.')
  batchSizes: int[]?

  eventRules: eventMatchRule[]?
}
