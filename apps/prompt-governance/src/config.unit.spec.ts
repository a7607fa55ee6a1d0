import { loadConfig, serviceConfigSchema, withDefaults } from '@mlops/platform';
import { promptGovernanceConfigSchema } from './config';

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema.extend(promptGovernanceConfigSchema.shape), withDefaults({ PORT: '3004', MONGO_DB: 'mlops_prompt_governance' }, env), 'prompt-governance');

describe('prompt-governance configuration', () => {
  it('has sane defaults', () => {
    expect(load({})).toMatchObject({ PROMPT_APPROVER_ROLE: 'prompt-approver', PROMPT_BANNED_TERMS: [], PROMPT_MAX_TOKENS: 8000, PROMPT_EVALUATION_PASS_SCORE: 70 });
  });

  it('parses the banned terms and rejects bad values by name', () => {
    expect(load({ PROMPT_BANNED_TERMS: ' guaranteed , risk-free,,c++ ' }).PROMPT_BANNED_TERMS).toEqual(['guaranteed', 'risk-free', 'c++']);
    expect(() => load({ PROMPT_APPROVER_ROLE: 'two words' })).toThrow(/PROMPT_APPROVER_ROLE/);
    expect(() => load({ PROMPT_MAX_TOKENS: '0' })).toThrow(/PROMPT_MAX_TOKENS/);
    expect(() => load({ PROMPT_EVALUATION_PASS_SCORE: '101' })).toThrow(/PROMPT_EVALUATION_PASS_SCORE/);
    expect(() => load({ PROMPT_BANNED_TERMS: 'x'.repeat(101) })).toThrow(/PROMPT_BANNED_TERMS/);
  });
});
