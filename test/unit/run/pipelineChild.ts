// Loaded by a child process in pipeline.test.ts (the run that gets killed): the pieces it needs, bundled.
export { runPipeline } from '../../../src/qrpo/run/pipeline';
export { RunFolder } from '../../../src/qrpo/run/runFolder';
export { quantilesStage } from '../../../src/qrpo/run/stages/quantilesStage';
