/** Scenario files: loading, validation, the normalised `Scenario` type and its JSON Schema. */
export { InputError, formatProblem, type Problem } from './problems.js';
export { loadScenarioFile, loadScenarioText, problemAt, withOverride, type LoadedScenario } from './load.js';
export { scenarioJsonSchema, scenarioSchema, type Scenario, type SchemaContext } from './schema.js';
export { parseDuration, parseDurationText, parsePower, parseProbability } from './units.js';
export type { Gate, GateOperator, GateStat } from './syntax.js';
export { MAX_REPLICATIONS } from './fields.js';
