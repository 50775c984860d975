//! The server's connection check as this client runs it: one `POST /api/v1/connection-checks`
//! asking for the streamed answer (`application/x-ndjson`), each finished step handed on as
//! its line arrives, then the whole report.
//!
//! Owns: reading the stream line by line (lines read with core's `check_stream_line`) and
//! saying why no report came. Must not: repeat the request (a check may send a test message),
//! keep the request body (it holds the password) beyond sending it, or word anything for
//! people (the connect flow does).

use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use mailsetup_core::wire::{
    CONNECTION_CHECKS_PATH, CheckReport, CheckStreamLine, StepReport, check_stream_line,
    problem_detail,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use super::http::{Http, Outgoing};
use crate::store::remote::CheckNotRun;

/// The streamed answer's media type.
const NDJSON: &str = "application/x-ndjson";

/// How long a whole check may take before the client gives up on it: the server's own limits
/// (10 s per connection, the test message's arrival) stay well inside it.
const CHECK_LIMIT_MS: u32 = 180_000;

/// Runs the check `body` asks for; `finished` hears of each step as it ends.
pub async fn check(
    http: Rc<Http>,
    body: String,
    finished: Rc<dyn Fn(StepReport)>,
) -> Result<CheckReport, CheckNotRun> {
    let outgoing = Outgoing {
        method: "POST",
        path: CONNECTION_CHECKS_PATH.to_owned(),
        headers: vec![("Accept", NDJSON.to_owned())],
        body: Some(body),
    };
    let sent = http.stream(&outgoing, CHECK_LIMIT_MS).await;
    // The body holds the password: it goes as soon as the request is out.
    drop(outgoing);
    let (response, _deadline) = sent.map_err(|_| CheckNotRun::Unreachable)?;
    if response.status() != 200 {
        return Err(refusal(&response).await);
    }
    let reader = response
        .body()
        .and_then(|body| {
            body.get_reader()
                .dyn_into::<ReadableStreamDefaultReader>()
                .ok()
        })
        .ok_or(CheckNotRun::Interrupted)?;
    let mut lines = Lines::default();
    loop {
        let Some(chunk) = next_chunk(&reader).await? else {
            return Err(CheckNotRun::Interrupted);
        };
        for line in lines.push(&chunk) {
            match check_stream_line(&line) {
                Some(CheckStreamLine::Step(step)) => finished(*step),
                Some(CheckStreamLine::Report(report)) => return Ok(report),
                None => return Err(CheckNotRun::Interrupted),
            }
        }
    }
}

/// Why a check was not run, from an answer other than 200.
async fn refusal(response: &Response) -> CheckNotRun {
    let detail = match response.text() {
        Ok(text) => JsFuture::from(text)
            .await
            .ok()
            .and_then(|value| value.as_string())
            .and_then(|body| problem_detail(&body)),
        Err(_) => None,
    };
    match response.status() {
        401 => CheckNotRun::SignedOut,
        403 => CheckNotRun::Forbidden,
        429 => CheckNotRun::Limited { detail },
        404 | 422 => CheckNotRun::Refused { detail },
        _ => CheckNotRun::Unreachable,
    }
}

/// The next bytes of the stream; `None` when it ended.
async fn next_chunk(reader: &ReadableStreamDefaultReader) -> Result<Option<Vec<u8>>, CheckNotRun> {
    let read = JsFuture::from(reader.read())
        .await
        .map_err(|_| CheckNotRun::Interrupted)?;
    let field = |name: &str| Reflect::get(&read, &JsValue::from_str(name)).unwrap_or_default();
    if field("done").as_bool().unwrap_or(true) {
        return Ok(None);
    }
    Ok(Some(Uint8Array::new(&field("value")).to_vec()))
}

/// Splits a byte stream into lines, whatever the chunks' borders (a chunk may end inside a
/// line, or inside a character).
#[derive(Default)]
struct Lines {
    pending: Vec<u8>,
}

impl Lines {
    /// The whole lines `chunk` completes, without their line ends; empty lines are skipped.
    fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let Some(last_end) = self.pending.iter().rposition(|&byte| byte == b'\n') else {
            return Vec::new();
        };
        let rest = self.pending.split_off(last_end + 1);
        let complete = std::mem::replace(&mut self.pending, rest);
        complete
            .split(|&byte| byte == b'\n')
            .map(|line| String::from_utf8_lossy(line).trim().to_owned())
            .filter(|line| !line.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn lines_come_whole_whatever_the_chunks() {
        let text = "{\"step\":\"imap_connect\"}\n{\"outcome\":\"passed\",\"note\":\"zażółć\"}\n";
        let bytes = text.as_bytes();
        let expected: Vec<String> = text.lines().map(str::to_owned).collect();
        for size in 1..=bytes.len() {
            let mut lines = Lines::default();
            let got: Vec<String> = bytes
                .chunks(size)
                .flat_map(|chunk| lines.push(chunk))
                .collect();
            assert_eq!(got, expected, "chunks of {size} bytes");
        }
    }

    #[test]
    fn an_unfinished_line_waits_and_blank_lines_are_skipped() {
        let mut lines = Lines::default();
        assert!(lines.push(b"\n\n{\"a\"").is_empty());
        assert_eq!(lines.push(b":1}\r\n"), vec!["{\"a\":1}".to_owned()]);
    }
}
