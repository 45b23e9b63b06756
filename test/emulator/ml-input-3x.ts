/**
 * Request validation that ml-commons 3.x added, as a real 3.6 node answers it (test/real shows the emulator's
 * earlier, 2.x-only reading wrong):
 * - names and descriptions of connectors, models and model groups: letters, digits, whitespace and
 *   . , ! ? ( ) : @ - _ ' / " only (400 action_request_validation_exception, description before name);
 * - a remote TEXT_EMBEDDING model needs `model_config.additional_config.space_type` (400 illegal_argument_exception).
 */
import { illegalArgument, openSearchError } from './errors';
import { HttpError } from './http';
import { EngineVersion } from './version';

const ML_TEXT = /^[\p{L}\p{N}\s.,!?():@\-_'/"]*$/u;
const RULE = "can only contain letters, numbers, spaces, and basic punctuation (.,!?():@-_'/\")";

/** `subject` is how ml-commons names the resource: 'Model connector', 'Model', 'Model group'. */
export function checkMlText(version: EngineVersion, subject: string, fields: { name?: unknown; description?: unknown }): void {
  if (!version.atLeast(3, 0)) return;
  const failures: string[] = [];
  for (const field of ['description', 'name'] as const) {
    const value = fields[field];
    if (typeof value === 'string' && !ML_TEXT.test(value)) failures.push(`${subject} ${field} ${RULE}`);
  }
  if (failures.length === 0) return;
  const reason = `Validation Failed: ${failures.map((f, i) => `${i + 1}: ${f};`).join('')}`;
  throw new HttpError(openSearchError(400, 'action_request_validation_exception', reason));
}

export function checkSpaceType(version: EngineVersion, modelConfig: unknown): void {
  if (!version.atLeast(3, 0) || !modelConfig || typeof modelConfig !== 'object') return;
  const config = modelConfig as { model_type?: unknown; additional_config?: Record<string, unknown> };
  if (String(config.model_type ?? '').toLowerCase() !== 'text_embedding') return;
  if (config.additional_config && 'space_type' in config.additional_config) return;
  throw illegalArgument('Space type must be provided in additional_config for remote text embedding model');
}
