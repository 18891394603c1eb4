import { parentPort } from 'node:worker_threads';
import { validateFhirResource } from '../fhir/validation/validate.ts';
import { firstErrors, type ValidationRequest, type ValidationResponse } from './validation.ts';

/** A validation worker: validates the resources it is sent, answers with their errors. */
parentPort!.on('message', (request: ValidationRequest) => {
  const response: ValidationResponse = {
    id: request.id,
    results: request.resources.map((r) => firstErrors(r, validateFhirResource)),
  };
  parentPort!.postMessage(response);
});
