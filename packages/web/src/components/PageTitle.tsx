import { useEffect, type ReactNode } from 'react';

/** The page's h1, also used as the browser tab's title (announced on navigation). */
export function PageTitle({ children, caption, title }: { children: ReactNode; caption?: string; title?: string }) {
  const text = title ?? (typeof children === 'string' ? children : undefined);
  useEffect(() => {
    if (text) {
      document.title = `${text} – CareWeave`;
    }
  }, [text]);
  return (
    <h1 className="nhsuk-heading-l">
      {caption && <span className="nhsuk-caption-l">{caption}</span>}
      {children}
    </h1>
  );
}
