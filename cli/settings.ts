/** The configuration of a command that runs paysaga code: validated, with logging set up from it. */
import { loadConfig, redactConfig, type Config, type Env } from '../config';
import { configureLogging, logger } from '../observability/logger';

export function loadSettings(defaults: Parameters<typeof loadConfig>[1] = {}, env: Env = process.env): Config {
  const config = loadConfig(env, defaults);
  configureLogging({ level: config.logLevel, format: config.logFormat });
  logger.debug({ config: redactConfig(config) }, 'configuration');
  return config;
}
