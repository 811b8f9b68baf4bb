import { expect, it } from 'vitest';
import { rootCauseMessage } from '../../../src/client/failure.js';

it("shows what an activity threw, not Temporal's wrappers around it", () => {
  const thrown = new Error('Unknown migration "shop-orders"');
  const activity = new Error('Activity task failed', { cause: thrown });
  const workflow = new Error('Workflow execution failed', { cause: activity });
  expect(rootCauseMessage(workflow)).toBe('Unknown migration "shop-orders"');
  expect(rootCauseMessage(thrown)).toBe('Unknown migration "shop-orders"');
  expect(rootCauseMessage('plain')).toBe('plain');
});
