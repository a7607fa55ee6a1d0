/** Every prompt-governance route lives under this prefix, the same through the gateway. */
export const PROMPT_GOVERNANCE_API = 'api/v1/prompt-governance';
