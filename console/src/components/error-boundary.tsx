import { Component, type ComponentChildren } from 'preact';
import { href } from '../router';

/** A rendering bug shows what broke and a way out, never a blank page. */
export class ErrorBoundary extends Component<{ children: ComponentChildren; resetKey: string }, { error?: Error }> {
  state: { error?: Error } = {};

  componentDidCatch(error: Error): void {
    this.setState({ error });
  }

  componentDidUpdate(previous: { resetKey: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" class="message message-error">
        <h1>This page failed</h1>
        <p>{this.state.error.message}</p>
        <p>
          <a href={href('/events')}>Back to events</a> or reload the page.
        </p>
      </div>
    );
  }
}
