// The run config: its fields (defined once), the JSON Schema generated from them, and loading with errors that name
// the file, the line and the field.
export { RUN_CONFIG_FIELDS, LOSS_TYPES, PAIRWISE_LOSSES, type RunConfig } from './runConfigFields';
export { runConfigSchema, runConfigSchemaText, RUN_CONFIG_SCHEMA_FILE, RUN_CONFIG_SCHEMA_ID } from './runConfigSchema';
export { loadRunConfig, resolveRunConfig, type LoadedRunConfig } from './resolveRunConfig';
export { readConfigDocument, parseConfigDocument, configFormatOf, type ConfigDocument, type ConfigFormat } from './configDocument';
export { RunConfigError, type ConfigProblem } from './configProblems';
export { defaultsOf, describeAccepted, fieldAt, type FieldSpec, type FieldMap } from './fieldSpec';
