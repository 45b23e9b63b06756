/**
 * Options of a cross-Region (system-defined) inference profile.
 */
export interface InferenceProfileOptions {
  /**
   * The Regions the profile routes requests to. The connector role may then invoke the
   * foundation model in exactly these Regions (`aws bedrock get-inference-profile` lists them).
   *
   * @default - the foundation model in any Region, only through this inference profile
   * (a `bedrock:InferenceProfileArn` condition), because the destination Regions differ from model to model and grow
   */
  readonly destinationRegions?: string[];
}

/**
 * Options of an application inference profile.
 */
export interface ApplicationInferenceProfileOptions extends InferenceProfileOptions {
  /**
   * What the application inference profile copies: a foundation model ID such as
   * `anthropic.claude-3-haiku-20240307-v1:0`, or a cross-Region inference profile ID such as
   * `us.anthropic.claude-3-7-sonnet-20250219-v1:0`. It decides the request format and the
   * foundation model the connector role may invoke through the profile.
   */
  readonly modelSource: string;
}

/**
 * An Amazon Bedrock model to call: a foundation model, a cross-Region inference profile
 * (`us.`, `eu.`, `apac.`, ... prefixes) or an application inference profile.
 *
 * Model IDs are checked by their shape, not against a list, so models released after
 * this library work as soon as Bedrock offers them.
 */
export class BedrockModel {
  /**
   * A model ID or a cross-Region inference profile ID, told apart by a geography prefix
   * (`us.`, `us-gov.`, `eu.`, `apac.`, `jp.`, `au.`, `global.`).
   */
  public static fromId(id: string): BedrockModel {
    const geography = geographyOf(id);
    return geography === undefined ? BedrockModel.foundationModel(id) : BedrockModel.inferenceProfile(id);
  }

  /**
   * A foundation model called on demand in the connector's Region, for example `amazon.titan-embed-text-v2:0`.
   */
  public static foundationModel(modelId: string): BedrockModel {
    return new BedrockModel(modelId, 'foundation-model', modelId, [], undefined);
  }

  /**
   * A cross-Region (system-defined) inference profile, for example `us.anthropic.claude-sonnet-4-20250514-v1:0`.
   * The connector role may invoke the profile and, only through it, the foundation model in its destination Regions.
   */
  public static inferenceProfile(profileId: string, options: InferenceProfileOptions = {}): BedrockModel {
    return new BedrockModel(profileId, 'inference-profile', stripProfilePrefix(profileId), options.destinationRegions ?? [], undefined);
  }

  /**
   * An application inference profile, by its ARN (for example
   * `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6`).
   * The ARN must be a literal: it is URL-encoded into the connector's `model` parameter.
   */
  public static applicationInferenceProfile(profileArn: string, options: ApplicationInferenceProfileOptions): BedrockModel {
    return new BedrockModel(profileArn, 'application-inference-profile', stripGeography(options.modelSource),
      options.destinationRegions ?? [], options.modelSource);
  }

  /** @internal */
  public readonly _kind: string;

  /** @internal */
  public readonly _foundationModelId: string;

  /** @internal */
  public readonly _destinationRegions: string[];

  /** @internal */
  public readonly _modelSource?: string;

  /**
   * The model ID, inference profile ID or application inference profile ARN, as given.
   */
  public readonly id: string;

  private constructor(id: string, kind: string, foundationModelId: string, destinationRegions: string[], modelSource: string | undefined) {
    this.id = id;
    this._kind = kind;
    this._foundationModelId = foundationModelId;
    this._destinationRegions = destinationRegions;
    this._modelSource = modelSource;
  }
}

/**
 * Geography prefixes of cross-Region inference profiles, each with the Regions that may
 * call it. A prefix not listed here is still accepted by `BedrockModel.inferenceProfile()`.
 */
export const GEOGRAPHIES: Readonly<Record<string, { readonly label: string; readonly accepts: (region: string) => boolean }>> = {
  'us': { label: 'us-east-*, us-west-* or ca-*', accepts: (r) => /^us-(east|west)-\d+$/.test(r) || r.startsWith('ca-') },
  'us-gov': { label: 'us-gov-*', accepts: (r) => r.startsWith('us-gov-') },
  'eu': { label: 'eu-*', accepts: (r) => r.startsWith('eu-') },
  'apac': { label: 'ap-* or me-*', accepts: (r) => r.startsWith('ap-') || r.startsWith('me-') },
  'jp': { label: 'ap-northeast-1 or ap-northeast-3', accepts: (r) => r === 'ap-northeast-1' || r === 'ap-northeast-3' },
  'au': { label: 'ap-southeast-2 or ap-southeast-4', accepts: (r) => r === 'ap-southeast-2' || r === 'ap-southeast-4' },
  'global': { label: 'any commercial Region', accepts: (r) => !r.startsWith('cn-') && !r.startsWith('us-gov-') && !r.startsWith('us-iso') },
};

/** The geography prefix of an inference profile ID, if it has a known one. */
export function geographyOf(id: string): string | undefined {
  const dot = id.indexOf('.');
  if (dot < 0) return undefined;
  const prefix = id.slice(0, dot);
  return prefix in GEOGRAPHIES ? prefix : undefined;
}

/** `us.anthropic.claude-...` → `anthropic.claude-...`; IDs without a known prefix are returned as they are. */
function stripGeography(id: string): string {
  const geography = geographyOf(id);
  return geography === undefined ? id : id.slice(geography.length + 1);
}

/**
 * The foundation model of an inference profile ID: everything after its first dot when the ID
 * has the `<geography>.<provider>.<model>` shape, so that new geographies work too.
 */
function stripProfilePrefix(id: string): string {
  const beforeVersion = id.split(':')[0];
  return beforeVersion.split('.').length >= 3 ? id.slice(id.indexOf('.') + 1) : id;
}
