//! Unit tests of the environment state machine (no HTTP).

use super::*;
use std::time::Duration;

fn info(expected_extensions: usize) -> EnvironmentInfo {
    EnvironmentInfo {
        function_name: "f".into(),
        function_version: "$LATEST".into(),
        handler: "app.handler".into(),
        account_id: None,
        expected_extensions,
    }
}

fn inv(id: &str) -> Invocation {
    Invocation::new(
        id,
        "{}",
        "arn:aws:lambda:us-east-1:000000000000:function:f",
        Duration::from_secs(3),
    )
}

fn outcome(rx: &mut oneshot::Receiver<Completion>) -> Option<InvocationOutcome> {
    rx.try_recv().ok().map(|c| c.outcome)
}

#[test]
fn invocation_waits_for_next_then_completes() {
    let (mut st, status) = EnvState::new(info(0));
    let mut done = st.invoke(inv("r1"));
    assert!(outcome(&mut done).is_none());
    assert!(status.borrow().ready_at.is_none());
    assert_eq!(
        st.check_current("r1"),
        Err(ApiError::invalid_request_id()),
        "not delivered yet"
    );

    let mut next = st.runtime_next().unwrap();
    assert!(status.borrow().ready_at.is_some());
    assert_eq!(next.try_recv().unwrap().request_id, "r1");
    assert_eq!(st.runtime_state(), RuntimeState::Running);
    assert_eq!(
        st.runtime_next().unwrap_err(),
        ApiError::runtime_transition("Running", "Ready")
    );
    assert_eq!(
        st.runtime_init_error(None, Bytes::new()).unwrap_err(),
        ApiError::runtime_transition("Running", "InitError")
    );

    assert_eq!(
        st.runtime_result("other", InvocationOutcome::Response(Bytes::new())),
        Err(ApiError::invalid_request_id())
    );
    st.runtime_result("r1", InvocationOutcome::Response(Bytes::from_static(b"42")))
        .unwrap();
    assert_eq!(
        outcome(&mut done),
        Some(InvocationOutcome::Response(Bytes::from_static(b"42")))
    );
    assert_eq!(st.runtime_state(), RuntimeState::ResponseSent);
    // Answering twice: the id is no longer current.
    assert_eq!(
        st.runtime_result("r1", InvocationOutcome::Response(Bytes::new())),
        Err(ApiError::invalid_request_id())
    );
}

#[test]
fn one_invocation_at_a_time() {
    let (mut st, _status) = EnvState::new(info(0));
    let _first = st.invoke(inv("r1"));
    let mut second = st.invoke(inv("r2"));
    assert!(matches!(outcome(&mut second), Some(InvocationOutcome::NotAccepted(m)) if m.contains("r1")));
}

#[test]
fn fail_current_makes_the_id_stale() {
    let (mut st, _status) = EnvState::new(info(0));
    let _next = st.runtime_next().unwrap();
    let mut done = st.invoke(inv("r1"));
    assert!(st.fail_current(InvocationOutcome::Timeout {
        timeout: Duration::from_secs(3)
    }));
    assert!(matches!(outcome(&mut done), Some(InvocationOutcome::Timeout { .. })));
    assert_eq!(st.check_current("r1"), Err(ApiError::invalid_request_id()));
    assert!(!st.fail_current(InvocationOutcome::Timeout {
        timeout: Duration::from_secs(3)
    }));
    // The runtime may ask for the next one; a new invocation reaches it.
    let mut next = st.runtime_next().unwrap();
    let _done2 = st.invoke(inv("r2"));
    assert_eq!(next.try_recv().unwrap().request_id, "r2");
}

#[test]
fn init_error_answers_the_waiting_and_later_invocations() {
    let (mut st, status) = EnvState::new(info(0));
    let mut done = st.invoke(inv("r1"));
    st.runtime_init_error(
        Some("Runtime.ImportModuleError".into()),
        Bytes::from_static(b"{\"x\":1}"),
    )
    .unwrap();
    let expected = InvocationOutcome::InitError {
        error_type: Some("Runtime.ImportModuleError".into()),
        payload: Bytes::from_static(b"{\"x\":1}"),
    };
    assert_eq!(outcome(&mut done), Some(expected.clone()));
    assert!(status.borrow().init_error.is_some());
    let mut later = st.invoke(inv("r2"));
    assert_eq!(outcome(&mut later), Some(expected));
    assert_eq!(
        st.runtime_next().unwrap_err(),
        ApiError::runtime_transition("InitError", "Ready")
    );
    assert_eq!(
        st.runtime_init_error(None, Bytes::new()).unwrap_err(),
        ApiError::runtime_transition("InitError", "InitError")
    );
}

#[test]
fn dropped_next_does_not_swallow_the_invocation() {
    let (mut st, _status) = EnvState::new(info(0));
    drop(st.runtime_next().unwrap()); // the runtime's connection went away
    let mut done = st.invoke(inv("r1"));
    assert!(outcome(&mut done).is_none());
    let mut next = st.runtime_next().unwrap();
    assert_eq!(next.try_recv().unwrap().request_id, "r1");
}

#[test]
fn concurrent_next_is_refused() {
    let (mut st, _status) = EnvState::new(info(0));
    let _first = st.runtime_next().unwrap();
    assert_eq!(
        st.runtime_next().unwrap_err(),
        ApiError::runtime_transition("Ready", "Ready")
    );
}

#[test]
fn extensions_gate_init_and_get_invoke_and_shutdown() {
    let (mut st, status) = EnvState::new(info(1));
    let mut next = st.runtime_next().unwrap();
    assert!(
        status.borrow().ready_at.is_none(),
        "expected extension not registered yet"
    );
    let (id, body) = st
        .extension_register("ext", None, br#"{"events":["INVOKE","SHUTDOWN"]}"#)
        .unwrap();
    assert_eq!(
        body,
        r#"{"functionName":"f","functionVersion":"$LATEST","handler":"app.handler"}"#
    );
    assert_eq!(
        st.extension_register("ext", None, br#"{"events":[]}"#).unwrap_err(),
        ApiError::extension_name_taken()
    );
    let mut done = st.invoke(inv("r1"));
    assert!(next.try_recv().is_err(), "not before the extension is ready");
    let mut ev = st.extension_next(&id).unwrap();
    assert!(status.borrow().ready_at.is_some());
    assert_eq!(
        st.extension_register("late", None, b"{}").unwrap_err(),
        ApiError::extension_registration_closed()
    );
    assert_eq!(next.try_recv().unwrap().request_id, "r1");
    let event = ev.try_recv().unwrap();
    assert!(std::str::from_utf8(&event)
        .unwrap()
        .starts_with(r#"{"eventType":"INVOKE","deadlineMs":"#));
    st.runtime_result("r1", InvocationOutcome::Response(Bytes::new()))
        .unwrap();
    assert!(outcome(&mut done).is_some());

    // The next invocation waits for the extension to ask again.
    let mut next = st.runtime_next().unwrap();
    let _done2 = st.invoke(inv("r2"));
    assert!(next.try_recv().is_err());
    let mut ev = st.extension_next(&id).unwrap();
    assert_eq!(next.try_recv().unwrap().request_id, "r2");
    assert!(ev.try_recv().is_ok());
    st.runtime_result("r2", InvocationOutcome::Response(Bytes::new()))
        .unwrap();

    // Shutdown: queued for the extension, done when it asks again.
    let mut down = st.shutdown(ShutdownReason::Spindown, 99);
    assert!(down.try_recv().is_err());
    let mut ev = st.extension_next(&id).unwrap();
    assert_eq!(
        &ev.try_recv().unwrap()[..],
        br#"{"eventType":"SHUTDOWN","deadlineMs":99,"shutdownReason":"spindown"}"#
    );
    assert!(down.try_recv().is_err());
    let _parked = st.extension_next(&id).unwrap();
    assert!(down.try_recv().is_ok());
    let mut refused = st.invoke(inv("r3"));
    assert!(matches!(outcome(&mut refused), Some(InvocationOutcome::NotAccepted(_))));
}

#[test]
fn extension_errors() {
    let (mut st, status) = EnvState::new(info(0));
    assert_eq!(
        st.extension_next("nope").unwrap_err(),
        ApiError::extension_unknown("nope")
    );
    assert_eq!(
        st.extension_register("", None, b"{}").unwrap_err(),
        ApiError::extension_name_empty()
    );
    let (a, _) = st.extension_register("a", None, br#"{"events":["SHUTDOWN"]}"#).unwrap();
    let (b, _) = st.extension_register("b", None, br#"{"events":["INVOKE"]}"#).unwrap();
    let _a_next = st.extension_next(&a).unwrap();
    assert_eq!(
        st.extension_error(&a, ExtensionErrorKind::Init, "Extension.Crash".into())
            .unwrap_err(),
        ApiError::extension_transition("Ready", "InitError", &a)
    );
    let mut done = st.invoke(inv("r1"));
    st.extension_error(&b, ExtensionErrorKind::Init, "Extension.InitError".into())
        .unwrap();
    let report = status.borrow().init_error.clone().unwrap();
    assert_eq!(report.extension.as_deref(), Some("b"));
    assert!(
        matches!(outcome(&mut done), Some(InvocationOutcome::InitError { error_type: Some(t), .. }) if t == "Extension.InitError")
    );
    assert_eq!(
        st.extension_next(&b).unwrap_err(),
        ApiError::extension_transition("InitError", "Ready", &b)
    );
    st.extension_error(&a, ExtensionErrorKind::Exit, "Extension.ExitError".into())
        .unwrap();
    assert_eq!(
        st.extensions().iter().find(|e| e.id == a).unwrap().state,
        ExtensionState::ExitError
    );
    assert_eq!(
        st.extension_error("zzz", ExtensionErrorKind::Exit, "x".into())
            .unwrap_err(),
        ApiError::extension_unknown_header()
    );
}

#[test]
fn too_many_extensions() {
    let (mut st, _status) = EnvState::new(info(0));
    for i in 0..MAX_EXTENSIONS {
        st.extension_register(&format!("e{i}"), None, b"{}").unwrap();
    }
    assert_eq!(
        st.extension_register("one-more", None, b"{}").unwrap_err(),
        ApiError::too_many_extensions(10)
    );
}

#[test]
fn close_ends_everything() {
    let (mut st, status) = EnvState::new(info(0));
    let mut next = st.runtime_next().unwrap();
    let mut done = st.invoke(inv("r1"));
    let _ = next.try_recv();
    st.close();
    assert!(matches!(outcome(&mut done), Some(InvocationOutcome::NotAccepted(_))));
    assert!(status.borrow().closed);
    let mut next = st.runtime_next().unwrap();
    assert!(matches!(next.try_recv(), Err(oneshot::error::TryRecvError::Empty)));
}
