import { IConstruct } from 'constructs';
import { MlValidationError, quote } from './errors';
import { IMlModel, MlModel } from './model';
import { ModelFacts } from './search-facts';
import { TargetBinding, sameTarget } from './target';

/** What a processor or a field needs the model to be. */
export type ModelNeed = 'text embedding' | 'sparse encoding' | 'text and image embedding' | 'embedding or sparse encoding' | 'chat' | 'any';

const SPARSE = ['SPARSE_ENCODING', 'SPARSE_TOKENIZE'];

/**
 * What an `MlModel` of this app is, checked against what `property` needs of it, on the same domain or
 * collection as `binding`; undefined for a model imported by ID, of which nothing is known.
 */
export function modelFacts(scope: IConstruct, binding: TargetBinding, property: string, model: IMlModel, need: ModelNeed): ModelFacts | undefined {
  if (!MlModel.isMlModel(model)) return undefined;
  if (!sameTarget(model._binding, binding)) {
    throw new MlValidationError(scope, `${property} ${quote(model.node.path)} is on another domain or collection; a pipeline, its index and their models must be on one.`);
  }
  const facts = model._facts;
  const embedding = facts.modelType === 'TEXT_EMBEDDING' && facts.dimension !== undefined;
  const sparse = SPARSE.includes(facts.modelType ?? '');
  const fits = need === 'any'
    || (need === 'text embedding' && embedding)
    || (need === 'text and image embedding' && embedding && facts.multimodal !== false)
    || (need === 'sparse encoding' && sparse)
    || (need === 'embedding or sparse encoding' && (embedding || sparse))
    || (need === 'chat' && !embedding && !sparse);
  if (!fits) {
    const is = embedding ? `a text embedding model (${facts.dimension} dimensions)` : sparse ? 'a sparse encoding model'
      : `not an embedding model (model_config.model_type ${quote(facts.modelType ?? 'none')})`;
    throw new MlValidationError(scope,
      `${property} needs a ${need} model, but ${quote(facts.path)} is ${is}${facts.blueprint ? `; its connector's blueprint is ${quote(facts.blueprint)}` : ''}. ` +
      (need === 'chat' ? 'Use a model on a chat blueprint.' : `Use a model on a ${need} blueprint${need.includes('sparse') ? ", or declare modelConfig: { modelType: 'SPARSE_ENCODING' }" : ''}.`));
  }
  return facts;
}
