/** The local stack (tools/stack/stack.ts): engines up, down, status and logs; the test server's path. */
export { StackError } from './proc';
export { testServerPath } from './test-server';
export {
  stackEngines,
  stackDown,
  stackLogs,
  stackProvision,
  stackStatus,
  stackUp,
  stackUrls,
  type EngineReport,
  type EngineStatus,
} from './stack';
