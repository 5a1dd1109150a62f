// A live stream as a Preact hook: the latest sample, the state of the stream, and a callback for
// every event (the queue page keeps its chart with it).
import { useEffect, useRef, useState } from "preact/hooks";
import { openLive } from "./live.js";

export function useLive(path, onError, onEvent) {
  const [sample, setSample] = useState(null);
  const [problem, setProblem] = useState(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    setSample(null);
    return openLive(
      path,
      (name, data) => {
        handler.current?.(name, data);
        if (name === "sample") {
          setSample(data);
          setProblem(null);
        } else if (name === "unavailable") setProblem(data.message);
      },
      (e) => {
        setProblem(e.message);
        onError(e);
      },
    );
  }, [path]);
  return { sample, problem };
}
