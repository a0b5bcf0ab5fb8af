//! Durable executions. Executions are started by the invoke path, so the real binary is driven
//! through `aws-sdk-lambda` only for what needs none (an unknown execution is AWS's not-found
//! error, a function with none lists none); the operations over recorded executions are driven
//! through the handlers of `fauxlambda::api::durable_executions` on an `Api` built here, with
//! executions recorded the way the invoke path records them.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use common::*;

#[tokio::test]
async fn unknown_execution_and_empty_list() {
    let server = Server::start(&[]);
    let c = server.client();
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:durable:$LATEST/durable-execution/run-1/0123456789abcdef";

    let e = c
        .get_durable_execution()
        .durable_execution_arn(arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some(format!("Durable execution not found: {arn}").as_str())
    );
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(404));
    let e = c
        .get_durable_execution_history()
        .durable_execution_arn(arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c
        .stop_durable_execution()
        .durable_execution_arn(arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c
        .send_durable_execution_callback_heartbeat()
        .callback_id("bm9wZQ==")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));

    create_echo(&c, "durable").await;
    let listed = c
        .list_durable_executions_by_function()
        .function_name("durable")
        .send()
        .await
        .unwrap();
    assert!(listed.durable_executions().is_empty());
    assert!(listed.next_marker().is_none());
    let e = c
        .list_durable_executions_by_function()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
    );
}

// ---- Handlers over recorded executions. ----
use fauxlambda::api::durable_executions::*;
use fauxlambda::api::Api;
use fauxlambda::clock::now_epoch_ms_i64 as now_millis;
use fauxlambda::context::RequestContext;
use fauxlambda::state::durable_executions::NewExecution;
use fauxlambda::state::functions::{Code, Version};
use fauxlambda::state::StateHandle;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use m::{OperationAction as A, OperationType as T};
use smithy_server_runtime::aws_smithy_types::Blob;
use smithy_server_runtime::aws_smithy_types::DateTime;

const FN: &str = "arn:aws:lambda:us-east-1:000000000000:function:durable:$LATEST";

fn api(dir: &std::path::Path) -> Api {
    Api {
        state: StateHandle::spawn(),
        store: fauxlambda::store::Store::open(dir).unwrap(),
        defaults: RequestContext {
            region: "us-east-1".into(),
            account: "000000000000".into(),
            base_url: "http://127.0.0.1:1".into(),
            request_id: "".into(),
        },
        services: std::sync::Arc::new(fauxlambda::services::Services::new(&[]).unwrap()),
        execution: fauxlambda::execution::Execution::new(fauxlambda::execution::Pool::new(
            fauxlambda::execution::ProcessExecutor::new(fauxlambda::execution::ExecutorConfig::new(dir)),
            Default::default(),
        )),
        async_queue: fauxlambda::api::async_invocation::AsyncQueue::new(
            fauxlambda::api::async_invocation::schedule::Schedule::new(60.0),
            1 << 20,
        ),
        event_sources: Default::default(),
    }
}

async fn seed(api: &Api, name: &str) -> fauxlambda::state::durable_executions::Started {
    let name = name.to_string();
    api.state(move |s| {
        if s.functions.get("durable").is_none() {
            let config = m::FunctionConfiguration {
                function_name: Some("durable".into()),
                version: Some("$LATEST".into()),
                ..Default::default()
            };
            s.functions
                .create(Version {
                    config,
                    code: Code::Image { uri: "img".into() },
                })
                .unwrap();
        }
        let new = NewExecution {
            function_arn: FN.into(),
            name: Some(name),
            input_payload: Some(r#"{"n":1}"#.into()),
            execution_timeout: 900,
            trace_id: None,
        };
        s.durable_executions.record(new, now_millis()).unwrap()
    })
    .await
    .unwrap()
}

fn upd(id: &str, t: T, a: A, payload: Option<&str>) -> m::OperationUpdate {
    m::OperationUpdate {
        id: id.into(),
        r#type: t,
        action: a,
        payload: payload.map(Into::into),
        ..Default::default()
    }
}

async fn checkpoint(
    api: &Api,
    arn: &str,
    token: &str,
    updates: Vec<m::OperationUpdate>,
) -> Result<m::CheckpointDurableExecutionResponse, ServiceError> {
    let req = m::CheckpointDurableExecutionRequest {
        durable_execution_arn: arn.into(),
        checkpoint_token: token.into(),
        client_token: None,
        updates: Some(updates),
    };
    checkpoint_durable_execution(api, req).await
}

#[tokio::test]
async fn checkpoint_callback_and_finish() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    let s = seed(&api, "run-1").await;

    let got = get_durable_execution(
        &api,
        m::GetDurableExecutionRequest {
            durable_execution_arn: s.arn.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (got.status, got.durable_execution_name.as_str(), got.version.as_deref()),
        (m::ExecutionStatus::Running, "run-1", Some("$LATEST"))
    );
    assert_eq!(got.input_payload.as_deref(), Some(r#"{"n":1}"#));

    let state_req = |token: &str| m::GetDurableExecutionStateRequest {
        durable_execution_arn: s.arn.clone(),
        checkpoint_token: token.into(),
        marker: None,
        max_items: 0,
    };
    let st = get_durable_execution_state(&api, state_req(&s.checkpoint_token))
        .await
        .unwrap();
    assert_eq!(st.operations.len(), 1);
    assert_eq!(st.operations[0].r#type, T::Execution);
    assert!(matches!(
        get_durable_execution_state(&api, state_req("bm9wZQ==")).await,
        Err(ServiceError::InvalidParameterValueException(_))
    ));

    assert!(matches!(
        checkpoint(&api, &s.arn, "bm9wZQ==", vec![]).await,
        Err(ServiceError::InvalidParameterValueException(_))
    ));
    let r = checkpoint(
        &api,
        &s.arn,
        &s.checkpoint_token,
        vec![
            upd("s1", T::Step, A::Start, None),
            upd("s1", T::Step, A::Succeed, Some("42")),
            upd("cb", T::Callback, A::Start, None),
        ],
    )
    .await
    .unwrap();
    let ops = r.new_execution_state.operations.unwrap();
    assert_eq!(ops[0].step_details.as_ref().unwrap().result.as_deref(), Some("42"));
    let cb_id = ops[1].callback_details.clone().unwrap().callback_id.unwrap();
    let token = r.checkpoint_token.unwrap();
    assert_ne!(token, s.checkpoint_token);
    // A used token is spent; an unknown operation cannot complete.
    assert!(checkpoint(&api, &s.arn, &s.checkpoint_token, vec![]).await.is_err());
    assert!(matches!(
        checkpoint(&api, &s.arn, &token, vec![upd("zz", T::Step, A::Succeed, None)]).await,
        Err(ServiceError::InvalidParameterValueException(_))
    ));

    let ok = m::SendDurableExecutionCallbackSuccessRequest {
        callback_id: cb_id.clone(),
        result: Some(Blob::new("yes")),
    };
    send_durable_execution_callback_success(&api, ok.clone()).await.unwrap();
    assert!(matches!(
        send_durable_execution_callback_success(&api, ok).await,
        Err(ServiceError::CallbackTimeoutException(_))
    ));
    let unknown = m::SendDurableExecutionCallbackFailureRequest {
        callback_id: "bm9wZQ==".into(),
        error: None,
    };
    assert!(matches!(
        send_durable_execution_callback_failure(&api, unknown).await,
        Err(ServiceError::ResourceNotFoundException(_))
    ));

    let r = checkpoint(
        &api,
        &s.arn,
        &token,
        vec![upd(&ops_exec_id(&s.arn), T::Execution, A::Succeed, Some("done"))],
    )
    .await
    .unwrap();
    let ids: Vec<String> = r
        .new_execution_state
        .operations
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert!(
        ids.contains(&"cb".to_string()),
        "the callback's completion is reported: {ids:?}"
    );
    let got = get_durable_execution(
        &api,
        m::GetDurableExecutionRequest {
            durable_execution_arn: s.arn.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (got.status, got.result.as_deref()),
        (m::ExecutionStatus::Succeeded, Some("done"))
    );
    assert!(got.end_timestamp.is_some());
    let stop = stop_durable_execution(
        &api,
        m::StopDurableExecutionRequest {
            durable_execution_arn: s.arn.clone(),
            error: None,
        },
    )
    .await;
    assert!(matches!(stop, Err(ServiceError::InvalidParameterValueException(_))));

    // History: in order, reversed, paged, and without data.
    let hist = |reverse: Option<bool>, data: Option<bool>, max: i32, marker: Option<String>| {
        m::GetDurableExecutionHistoryRequest {
            durable_execution_arn: s.arn.clone(),
            include_execution_data: data,
            marker,
            max_items: max,
            reverse_order: reverse,
        }
    };
    let all = get_durable_execution_history(&api, hist(None, None, 0, None))
        .await
        .unwrap()
        .events;
    let types: Vec<m::EventType> = all.iter().filter_map(|e| e.event_type.clone()).collect();
    use m::EventType as E;
    assert_eq!(
        types,
        [
            E::ExecutionStarted,
            E::StepStarted,
            E::StepSucceeded,
            E::CallbackStarted,
            E::CallbackSucceeded,
            E::ExecutionSucceeded
        ]
    );
    assert_eq!(all.iter().map(|e| e.event_id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    let p1 = get_durable_execution_history(&api, hist(Some(true), None, 4, None))
        .await
        .unwrap();
    assert_eq!(p1.events.iter().map(|e| e.event_id).collect::<Vec<_>>(), [6, 5, 4, 3]);
    let p2 = get_durable_execution_history(&api, hist(Some(true), None, 4, p1.next_marker))
        .await
        .unwrap();
    assert_eq!(p2.events.iter().map(|e| e.event_id).collect::<Vec<_>>(), [2, 1]);
    assert!(p2.next_marker.is_none());
    let bare = get_durable_execution_history(&api, hist(None, Some(false), 0, None))
        .await
        .unwrap()
        .events;
    assert_eq!(bare[0].execution_started_details.as_ref().unwrap().input.payload, None);
    assert_eq!(bare[2].step_succeeded_details.as_ref().unwrap().result.payload, None);
    assert_eq!(
        all[2]
            .step_succeeded_details
            .as_ref()
            .unwrap()
            .result
            .payload
            .as_deref(),
        Some("42")
    );
}

fn ops_exec_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn stop_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    let a = seed(&api, "a").await;
    let b = seed(&api, "b").await;
    let err = m::ErrorObject {
        error_type: Some("Halt".into()),
        error_message: Some("enough".into()),
        ..Default::default()
    };
    stop_durable_execution(
        &api,
        m::StopDurableExecutionRequest {
            durable_execution_arn: a.arn.clone(),
            error: Some(err.clone()),
        },
    )
    .await
    .unwrap();
    let got = get_durable_execution(
        &api,
        m::GetDurableExecutionRequest {
            durable_execution_arn: a.arn.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!((got.status, got.error), (m::ExecutionStatus::Stopped, Some(err)));

    let list = |statuses: Option<Vec<m::ExecutionStatus>>, reverse: Option<bool>, max: i32, marker: Option<String>| {
        m::ListDurableExecutionsByFunctionRequest {
            durable_execution_name: None,
            function_name: "durable".into(),
            marker,
            max_items: max,
            qualifier: None,
            reverse_order: reverse,
            started_after: None,
            started_before: None,
            statuses,
        }
    };
    let names = |r: &m::ListDurableExecutionsByFunctionResponse| {
        r.durable_executions
            .as_ref()
            .unwrap()
            .iter()
            .map(|e| e.durable_execution_name.clone())
            .collect::<Vec<_>>()
    };
    let newest = list_durable_executions_by_function(&api, list(None, None, 0, None))
        .await
        .unwrap();
    assert_eq!(names(&newest), ["b", "a"]);
    let oldest = list_durable_executions_by_function(&api, list(None, Some(true), 1, None))
        .await
        .unwrap();
    assert_eq!(names(&oldest), ["a"]);
    let next = list_durable_executions_by_function(&api, list(None, Some(true), 1, oldest.next_marker))
        .await
        .unwrap();
    assert_eq!(names(&next), ["b"]);
    let running =
        list_durable_executions_by_function(&api, list(Some(vec![m::ExecutionStatus::Running]), None, 0, None))
            .await
            .unwrap();
    assert_eq!(names(&running), ["b"]);
    let mut by_name = list(None, None, 0, None);
    by_name.durable_execution_name = Some("a".into());
    assert_eq!(
        names(&list_durable_executions_by_function(&api, by_name).await.unwrap()),
        ["a"]
    );
    let mut later = list(None, None, 0, None);
    later.started_after = Some(DateTime::from_millis(now_millis() + 60_000));
    assert!(list_durable_executions_by_function(&api, later)
        .await
        .unwrap()
        .durable_executions
        .unwrap()
        .is_empty());
    let _ = b;
}
