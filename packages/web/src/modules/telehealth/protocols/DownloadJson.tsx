import { useMutation } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { api } from '../../../api/client.ts';
import { ErrorMessage } from '../../../components/feedback.tsx';
import { protocolUrl, type Protocol } from './api.ts';

/**
 * "Download as JSON": the protocol exactly as the server exports it. Fetched with the signed-in
 * user's token (a plain link would carry none) and saved through a temporary object URL.
 */
export function DownloadJson({ protocol }: { protocol: Pick<Protocol, 'id' | 'version'> }) {
  const download = useMutation({
    mutationFn: async () => {
      const json = await api<unknown>(protocolUrl(protocol.id));
      const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `telehealth-${protocol.id}-v${protocol.version}.json`;
      link.click();
      // After the click has started the download: the browser has the data by then.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <>
      <Button type="button" secondary onClick={() => download.mutate()} disabled={download.isPending}>
        Download as JSON
      </Button>
      {download.error && <ErrorMessage error={download.error} title="The protocol could not be downloaded" />}
    </>
  );
}
