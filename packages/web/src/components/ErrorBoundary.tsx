import { Component, type ReactNode } from 'react';
import { ErrorMessage } from './feedback.tsx';

/** A page that throws while rendering shows what went wrong instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  render(): ReactNode {
    if (this.state.error) {
      return (
        <ErrorMessage
          title="This page could not be shown"
          error={
            new Error(
              `Something went wrong while showing this page: ${this.state.error.message}. Reload the page to try again.`,
            )
          }
          onRetry={() => this.setState({ error: undefined })}
        />
      );
    }
    return this.props.children;
  }
}
