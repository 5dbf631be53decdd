/** The configuration of a command that runs paysaga code: validated, with logging set up from it. */
import { loadConfig, redactConfig, type Config } from '../config';
import { configureLogging, logger } from '../observability/logger';

export function loadSettings(defaults: Parameters<typeof loadConfig>[1] = {}): Config {
  const config = loadConfig(process.env, defaults);
  configureLogging({ level: config.logLevel, format: config.logFormat });
  logger.debug({ config: redactConfig(config) }, 'configuration');
  return config;
}
