/*
 * Choices of the SageMaker batch transform blueprint, spelled as the CreateTransformJob API spells them.
 */

/**
 * How SageMaker splits the input files into records (`TransformInput.SplitType`).
 */
export enum TransformSplitType {
  /** each file is one record */
  NONE = 'None',
  /** each line is one record (JSON Lines, CSV) */
  LINE = 'Line',
  /** RecordIO records */
  RECORD_IO = 'RecordIO',
  /** TFRecord records */
  TF_RECORD = 'TFRecord',
}

/**
 * How SageMaker puts the results of one input file together (`TransformOutput.AssembleWith`).
 */
export enum TransformAssembleWith {
  /** results are concatenated */
  NONE = 'None',
  /** one result per line */
  LINE = 'Line',
}

/**
 * How many records go in one request to the model (`BatchStrategy`).
 */
export enum TransformBatchStrategy {
  /** one record per request */
  SINGLE_RECORD = 'SingleRecord',
  /** as many records as fit in the payload limit */
  MULTI_RECORD = 'MultiRecord',
}

/**
 * What the S3 URI of the input names (`TransformInput.DataSource.S3DataSource.S3DataType`).
 */
export enum TransformS3DataType {
  /** every object under a key prefix */
  S3_PREFIX = 'S3Prefix',
  /** a manifest file listing the objects */
  MANIFEST_FILE = 'ManifestFile',
  /** an augmented manifest file */
  AUGMENTED_MANIFEST_FILE = 'AugmentedManifestFile',
}

/**
 * Which parts of each record go to the model and into the output (`DataProcessing`).
 */
export interface TransformDataProcessing {
  /**
   * JSONPath of the input the model receives (`InputFilter`).
   *
   * @default - the whole record
   */
  readonly inputFilter?: string;

  /**
   * `Input` to join each result with its input record (`JoinSource`).
   *
   * @default - results are not joined with their input
   */
  readonly joinSource?: string;

  /**
   * JSONPath of what is kept in the output (`OutputFilter`).
   *
   * @default - the whole result
   */
  readonly outputFilter?: string;
}
