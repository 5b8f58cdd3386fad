/**
 * Records, for test/histories/replay.test.ts, subsystem health and the daily inspection's subsystem
 * section as today's code runs them on the sandbox's estate trouble (a server killed, one gone bad,
 * one on another version, one without its database). Run it by hand when either changes on purpose
 * (see record.ts):
 *   node --import tsx test/histories/record-subsystem-health.ts
 */
import { startTestEstate } from '../support/estate.ts';
import { saveHistory, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startTestEstate({ banks: ['ICBC', 'BOC', 'CCB'], programs: false, subsystems: true });
try {
  await estate.startWorker();
  const { client, site } = estate;
  await estate.sandbox.subsystems.faults.scenario('estate-trouble');
  const record = async (name: string, workflowType: string, workflowId: string, input: unknown) => {
    const result: { light: string } = await client.workflow.execute(workflowType, {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId,
      args: [input],
    });
    if (result.light !== 'red') throw new Error(`${name}: expected the trouble found, got ${result.light}`);
    await saveHistory(client, name, workflowId);
  };
  await record('subsystem-health', 'subsystemHealth', 'subsystem-health/recorded', {});
  await record('daily-inspection-subsystems', 'dailyInspection', 'daily-inspection/recorded-subsystems', {
    skip: ['traffic'],
  });
} finally {
  await estate.stop();
}
