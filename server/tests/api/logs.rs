//! The log lines as an operator's collector receives them: written to a pipe (systemd's
//! journal, a container runtime, a file), compact lines carry no terminal colour codes.

use crate::helpers::PipedServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_lines_written_to_a_pipe_have_no_colour_codes() {
    let server = PipedServer::start("compact-log", &["--log-format", "compact"]).await;
    let response = reqwest::get(format!("{}/livez", server.base))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let seen = server.lines_until(|line| {
        line.contains("finished processing request") && line.contains("/livez")
    });
    assert!(
        seen.iter().all(|line| !line.contains('\u{1b}')),
        "colour codes in a piped log: {seen:#?}"
    );
    let request_line = seen.last().expect("the request's line");
    assert!(request_line.contains("status=200"), "{request_line}");
}
