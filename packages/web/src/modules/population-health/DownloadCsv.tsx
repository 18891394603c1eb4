import { useMutation } from '@tanstack/react-query';
import { ErrorMessage } from '../../components/feedback.tsx';
import { downloadCsv } from './api.ts';

/**
 * "Download CSV": a real link to the .csv address with the list's filters (so it can be copied or
 * opened in a new tab by an API client), which in the browser is fetched with the signed-in user's
 * token (a plain navigation carries none) and saved through a temporary object URL.
 */
export function DownloadCsv({ path, label = 'Download CSV' }: { path: string; label?: string }) {
  const download = useMutation({
    mutationFn: async () => {
      const { blob, fileName } = await downloadCsv(path);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      // After the click has started the download: the browser has the data by then.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <>
      <p className="nhsuk-body">
        <a
          className="nhsuk-link"
          href={path}
          download
          aria-busy={download.isPending}
          onClick={(event) => {
            event.preventDefault();
            download.mutate();
          }}
        >
          {download.isPending ? 'Preparing the CSV…' : label}
        </a>{' '}
        <span className="nhsuk-body-s">(up to 500 rows, the filters above applied)</span>
      </p>
      {download.error && <ErrorMessage error={download.error} title="The CSV could not be downloaded" />}
    </>
  );
}
