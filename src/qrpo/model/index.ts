// Model files: safetensors reading and writing, sharded checkpoints, HF config.json, and parameter resolution.
export * from './config';
export * from './decoderParameters';
export * from './halfFloat';
export * from './safetensors';
export * from './safetensorsHeader';
export * from './safetensorsWriter';
export * from './shardedSafetensors';
export * from './weights';
export * from './tokenizer';
export * from './chatTemplate';
export * from './byteLevelBpe';
