/*
 * Choices of the third-party model blueprints (protocol `http`). Values are spelled as the
 * model APIs spell them where they are sent.
 */

/**
 * The request a chat connector takes.
 */
export enum ChatRequestFormat {
  /**
   * The API's own list of messages, sent as it is (`${parameters.messages}`, or
   * `${parameters.contents}` for Gemini); the response is returned unchanged.
   */
  MESSAGES = 'MESSAGES',
  /**
   * `${parameters.system_prompt}` and `${parameters.user_prompt}`; the answer is returned as
   * `response` for Search Relevance Workbench LLM judgments (ml-commons' llm_judgment blueprints).
   */
  LLM_JUDGMENT = 'LLM_JUDGMENT',
}

/**
 * The version of Cohere's Chat API.
 */
export enum CohereChatApi {
  /** `https://api.cohere.ai/v1/chat`: one `${parameters.message}` */
  V1 = 'V1',
  /**
   * `https://api.cohere.com/v2/chat`: a list of `${parameters.messages}`. The host is not among
   * ml-commons' default trusted endpoints: add it to the domain's and to `trustedEndpoints`.
   */
  V2 = 'V2',
}

/**
 * What a Cohere Embed connector embeds.
 */
export enum CohereEmbedInput {
  /** texts (`${parameters.texts}`) */
  TEXTS = 'TEXTS',
  /** images given as data URIs (`${parameters.images}`, `input_type` `image`) */
  IMAGES = 'IMAGES',
}

/**
 * Aleph Alpha's semantic embedding `representation`: documents and queries of an asymmetric
 * search get different representations.
 */
export enum AlephAlphaRepresentation {
  /** documents stored in a vector index */
  DOCUMENT = 'document',
  /** queries run against documents */
  QUERY = 'query',
  /** texts compared with texts of the same kind */
  SYMMETRIC = 'symmetric',
}

/**
 * Which Yandex Cloud AI Studio embeddings API a connector calls.
 */
export enum YandexCloudEmbeddingApi {
  /** the OpenAI-compatible `https://llm.api.cloud.yandex.net/v1/embeddings` (ml-commons' standard blueprint) */
  OPENAI_COMPATIBLE = 'OPENAI_COMPATIBLE',
  /** the legacy `https://llm.api.cloud.yandex.net/foundationModels/v1/textEmbedding`, one text per call */
  FOUNDATION_MODELS = 'FOUNDATION_MODELS',
}
