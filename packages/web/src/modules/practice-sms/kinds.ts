/** A message's kind in words. */
export function describeKind(kind: string): string {
  const words: Record<string, string> = {
    reminder: 'Appointment reminder',
    cancel: 'Cancel reply',
    'cancel-unclear': 'Cancel reply (unclear which appointment)',
    cancelled: 'Cancellation confirmed',
    recall: 'Recall',
    'results-normal': 'Results',
    'results-neutral': 'Results update',
    reply: 'Reply from the practice',
    conversation: 'Message',
    acknowledgement: 'Automatic acknowledgement',
  };
  return words[kind] ?? kind;
}
