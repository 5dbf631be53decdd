/** paysaga's settings: loaded and checked in config/load.ts, each declared once in config/settings.ts. */
export {
  ConfigError,
  DEMO_SETTINGS,
  EMBEDDED_DB,
  loadConfig,
  localKafkaNodes,
  parseDuration,
  redactConfig,
  SETTINGS,
  type Config,
  type Env,
} from './load';
export type { SettingName } from './settings';
export { API_ROLES, type ApiRole, type ApiToken } from './value-types';
