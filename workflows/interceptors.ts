/**
 * The workflow interceptors of every run of the bundle (workers/workflow-bundle.ts names this
 * module), so that what outsiders send a run is bounded and seen, in one place:
 * - every update is refused, before its own validator, when its arguments are larger than any the
 *   project sends (a signed decision or claim is about 1 KiB); the validators then check each field;
 * - every update refused — by that bound or by its validator (a forged or replayed decision, a
 *   claim of another run, a lock release without the holder's token) — is logged with its name and
 *   why; it leaves no event in history;
 * - a signal no handler takes is logged with its name and dropped. The server has recorded it,
 *   but nothing in the run acts on it.
 * Nothing here adds a command, so runs recorded before it replay unchanged.
 */
import {
  ApplicationFailure,
  log,
  setDefaultSignalHandler,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { ErrorKind } from '../domain/errors.ts';

/** The largest update arguments taken, as JSON characters. */
export const maxUpdateChars = 16 * 1024;

export const interceptors: WorkflowInterceptorsFactory = () => {
  return {
    inbound: [
      {
        execute(input, next) {
          // Once the workflow has set its own handlers (before its first await), so that the signals
          // that came with its start go to them, as they always have.
          const result = next(input);
          setDefaultSignalHandler((signal) => {
            log.warn('signal ignored: this run takes no such signal', { refused: signal });
          });
          return result;
        },
        validateUpdate(input, next) {
          try {
            const chars = JSON.stringify(input.args).length;
            if (chars > maxUpdateChars)
              throw ApplicationFailure.create({
                type: ErrorKind.InvalidInput,
                nonRetryable: true,
                message: `${input.name}: its arguments are ${chars} characters of JSON, more than ${maxUpdateChars}`,
              });
            next(input);
          } catch (err) {
            log.warn('update refused', {
              refused: input.name,
              updateId: input.updateId,
              why: err instanceof Error ? err.message : String(err),
            });
            throw err;
          }
        },
      },
    ],
  };
};
