import { IConstruct } from 'constructs';
import { EngineVersionNumber, atLeast, formatVersion } from '../engine-version';
import { MlValidationError } from '../errors';

/**
 * What a blueprint factory learns about the connector it is bound to: the internal form of
 * `ConnectorBlueprintBindOptions`, with the domain's version as numbers.
 */
export interface BlueprintContext {
  /** the region of the domain or collection (may be a token) */
  readonly domainRegion: string;
  /** the domain's OpenSearch version when the domain is defined in this app; undefined when unknown */
  readonly engineVersion?: EngineVersionNumber;
}

/** Rejects a feature the domain's known OpenSearch version does not have (an unknown version has every feature). */
export function requireEngine(scope: IConstruct, context: BlueprintContext, minimum: EngineVersionNumber, feature: string): void {
  const version = context.engineVersion;
  if (version !== undefined && !atLeast(version, minimum)) {
    throw new MlValidationError(scope,
      `${feature} needs OpenSearch ${formatVersion(minimum)} or later; the domain runs ${formatVersion(version)}. Upgrade the domain or choose another blueprint option.`);
  }
}
