/** A scoring worker (score-pool.ts): scores the chunks of stored histories it is sent. */
import { parentPort } from 'node:worker_threads';
import { scoreChunk } from './score-chunk.ts';
import type { ScoreRequest, ScoreResponse } from './score-pool.ts';

parentPort!.on('message', (request: ScoreRequest) => {
  let response: ScoreResponse;
  try {
    response = {
      id: request.id,
      chunk: scoreChunk(request.model, new Date(request.at), request.rows, { keepRows: request.keepRows }),
    };
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(response);
});
