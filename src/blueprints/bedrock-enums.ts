/*
 * Choices of the Amazon Bedrock blueprints. Values are spelled as the model APIs spell them.
 */

/**
 * The number format of the embeddings a model returns. Each model produces only some of them.
 */
export enum BedrockEmbeddingType {
  /** 32-bit floats: every embedding model */
  FLOAT = 'float',
  /** one bit per dimension: Titan Text Embeddings V2, Cohere Embed v3 */
  BINARY = 'binary',
  /** signed 8-bit integers: Cohere Embed v3 */
  INT8 = 'int8',
  /** unsigned 8-bit integers: Cohere Embed v3 */
  UINT8 = 'uint8',
  /** unsigned binary: Cohere Embed v3 */
  UBINARY = 'ubinary',
}

/**
 * What Cohere Embed is embedding (`input_type`): documents and queries of one search get different types.
 */
export enum CohereInputType {
  /** documents stored in a vector index */
  SEARCH_DOCUMENT = 'search_document',
  /** queries run against the index */
  SEARCH_QUERY = 'search_query',
  /** input of a text classifier */
  CLASSIFICATION = 'classification',
  /** input of a clustering algorithm */
  CLUSTERING = 'clustering',
}

/**
 * What Cohere Embed does with a text longer than its maximum (`truncate`).
 */
export enum CohereTruncate {
  /** refuse it with an error */
  NONE = 'NONE',
  /** drop the start of the text */
  START = 'START',
  /** drop the end of the text */
  END = 'END',
}

/**
 * Which input an Amazon Nova Multimodal Embeddings connector takes: one connector for every
 * modality (OpenSearch 3.5+), or one connector per modality.
 */
export enum NovaEmbeddingModality {
  /** text, image, video and audio through one connector (`connector.pre_process.bedrock.nova.embedding`; OpenSearch 3.5+) */
  ALL = 'ALL',
  /** text only (`inputText`) */
  TEXT = 'TEXT',
  /** images only (`inputImage`, base64) */
  IMAGE = 'IMAGE',
  /** video only (`inputVideo`, base64) */
  VIDEO = 'VIDEO',
  /** audio only (`inputAudio`, base64) */
  AUDIO = 'AUDIO',
}

/**
 * What Amazon Nova Multimodal Embeddings does with a text longer than its maximum (`truncationMode`).
 */
export enum NovaTruncationMode {
  /** drop the start of the text */
  START = 'START',
  /** drop the end of the text */
  END = 'END',
  /** refuse it with an error */
  NONE = 'NONE',
}

/**
 * Image formats Amazon Nova Multimodal Embeddings reads.
 */
export enum NovaImageFormat {
  /** PNG */
  PNG = 'png',
  /** JPEG */
  JPEG = 'jpeg',
  /** GIF */
  GIF = 'gif',
  /** WebP */
  WEBP = 'webp',
}

/**
 * How Amazon Nova Multimodal Embeddings reads an image (`detailLevel`).
 */
export enum NovaImageDetailLevel {
  /** a picture */
  STANDARD_IMAGE = 'STANDARD_IMAGE',
  /** a picture of a document, read in more detail */
  DOCUMENT_IMAGE = 'DOCUMENT_IMAGE',
}

/**
 * Video formats Amazon Nova Multimodal Embeddings reads.
 */
export enum NovaVideoFormat {
  /** MP4 */
  MP4 = 'mp4',
  /** QuickTime */
  MOV = 'mov',
  /** Matroska */
  MKV = 'mkv',
  /** WebM */
  WEBM = 'webm',
  /** Flash video */
  FLV = 'flv',
  /** MPEG */
  MPEG = 'mpeg',
  /** MPEG (.mpg) */
  MPG = 'mpg',
  /** Windows Media Video */
  WMV = 'wmv',
  /** 3GPP */
  THREE_GP = '3gp',
}

/**
 * Whether Amazon Nova Multimodal Embeddings embeds a video's picture and sound together (`embeddingMode`).
 */
export enum NovaVideoEmbeddingMode {
  /** one embedding for picture and sound */
  AUDIO_VIDEO_COMBINED = 'AUDIO_VIDEO_COMBINED',
  /** separate embeddings for picture and sound */
  AUDIO_VIDEO_SEPARATE = 'AUDIO_VIDEO_SEPARATE',
}

/**
 * Audio formats Amazon Nova Multimodal Embeddings reads.
 */
export enum NovaAudioFormat {
  /** MP3 */
  MP3 = 'mp3',
  /** WAV */
  WAV = 'wav',
  /** Ogg */
  OGG = 'ogg',
}

/**
 * How a connector to Anthropic Claude (Messages API) takes its input and returns the answer.
 */
export enum ClaudeRequestFormat {
  /**
   * `${parameters.messages}`: a JSON array of Messages API messages, sent as they are; the
   * response is returned unchanged (ml-commons' Claude 3.7 and Claude 4 blueprints).
   */
  MESSAGES = 'MESSAGES',
  /**
   * `${parameters.inputs}`: one user text; the answer text is picked with a response filter
   * (ml-commons' Claude 3 blueprint).
   */
  INPUTS = 'INPUTS',
  /**
   * `${parameters.system_prompt}` and `${parameters.user_prompt}`; the answer is returned as
   * `response` for Search Relevance Workbench LLM judgments (ml-commons' llm_judgment blueprint).
   */
  LLM_JUDGMENT = 'LLM_JUDGMENT',
}

/**
 * How a connector to the Bedrock Converse API takes its input and returns the answer.
 */
export enum ConverseRequestFormat {
  /**
   * `${parameters.system_prompt}` and `${parameters.user_prompt}`; the answer text is picked
   * with a response filter (ml-commons' Converse blueprint).
   */
  SYSTEM_AND_USER_PROMPT = 'SYSTEM_AND_USER_PROMPT',
  /**
   * `${parameters.system_prompt}` and `${parameters.user_prompt}`; the answer is returned as
   * `response` for Search Relevance Workbench LLM judgments (ml-commons' llm_judgment blueprint).
   */
  LLM_JUDGMENT = 'LLM_JUDGMENT',
}
