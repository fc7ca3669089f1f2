import { useState } from 'preact/hooks';
import { messageOf } from '../api/client';

export interface ActionState {
  busy: boolean;
  /** The last outcome, shown next to the button that caused it. */
  message?: { kind: 'ok' | 'error'; text: string };
}

/** Runs one user action at a time and keeps its outcome (the API's message, or its error's) for display. */
export function useAction(): [ActionState, (run: () => Promise<string>) => Promise<void>, () => void] {
  const [state, setState] = useState<ActionState>({ busy: false });
  const perform = async (run: () => Promise<string>) => {
    setState({ busy: true });
    try {
      setState({ busy: false, message: { kind: 'ok', text: await run() } });
    } catch (error) {
      setState({ busy: false, message: { kind: 'error', text: messageOf(error) } });
    }
  };
  return [state, perform, () => setState({ busy: false })];
}
