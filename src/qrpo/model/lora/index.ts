// LoRA for the decoder families: config and target matching (PEFT semantics), adapters in memory and their
// initialisation, the projection wrapper the graph builders take as `adapter`, merging into full weights, and PEFT
// adapter folders (adapter_config.json + adapter_model.safetensors).
export * from './loraAdapter';
export * from './loraConfig';
export * from './loraGraph';
export * from './loraMerge';
export * from './peftAdapter';
