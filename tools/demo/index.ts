/** Demo traffic for a running paysaga (`npm run demo`, or after `npm start` with the demo flag). */
export { DemoApi, DemoError, demoTokens, type DemoTokens } from './api';
export { formatLive, formatSummary, type DemoSummary, type ScenarioResult } from './report';
export { DEMO_DEFAULTS, runDemo, type RunDemoOptions } from './run';
export { planDemo, SCENARIO_IDS, type DemoPlan, type ScenarioId } from './scenarios';
