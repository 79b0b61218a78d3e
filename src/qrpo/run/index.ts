// Run management: the config, the run folder (run.json, status.json, metrics.jsonl, lock, stop requests), the stage
// pipeline with its events, the dry validation pass, and the stages that live here (quantiles).
export * from './config';
export { writeFileAtomic, writeLinesAtomic } from './atomicFile';
export { writeDirectoryAtomic } from './atomicDirectory';
export { RunFolder, RUN_FILES, configDifferences, type RunManifest } from './runFolder';
export { MetricsLog, readMetrics, parseMetrics, type MetricsRecord, type TornLineRepair } from './metricsLog';
export { StatusWriter, readStatus, initialStatus, type RunStatus, type RunState, type StageProgress, type StageState } from './runStatus';
export { acquireRunLock, readRunLock, isOwnerAlive, RunLockedError, LOCK_FILE, type LockOwner, type RunLock } from './runLock';
export { requestStop, isStopRequested, clearStopRequest, watchStopRequests, StopRequestedError, type StopResult } from './stopRequest';
export { runPipeline, type Stage, type StageContext, type RunPipelineOptions, type RunOutcome } from './pipeline';
export { ProgressReporter, RateEstimator, type ProgressSnapshot } from './progressReporter';
export { stamp, eventLine, type RunEvent, type RunEventInput, type RunEventListener, type RunOutcomeState } from './events';
export { ProgressRenderer, progressLine, formatDuration, type TerminalStream } from './progressRenderer';
export { RunLog } from './runLog';
export { validateRun, type RunValidation, type DatasetCheck, type ModelCheck, type ValidateRunOptions } from './validateRun';
export { quantilesStage, preparedFile, QUANTILES_STAGE, PREPARED_FILE, type QuantilesStageOptions } from './stages/quantilesStage';
export { prepareQuantiles, betaLogPartition, type PreparedRecord, type PrepareQuantilesOptions, type LogZMode } from './prepareQuantiles';
export { preparedSummaryPath, type PreparedSummary } from './preparedSummary';
export { startRun, resumeRun, type StartedRun, type StartRunOptions } from './startRun';
export { runStages } from './stages/runStages';
