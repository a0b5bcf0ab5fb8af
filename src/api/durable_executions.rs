//! Durable executions: stored, listed, checkpointed, stopped, and their callbacks.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn checkpoint_durable_execution(api: &Api, input: m::CheckpointDurableExecutionRequest) -> Result<m::CheckpointDurableExecutionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("checkpoint_durable_execution is not available yet"))
}

pub async fn get_durable_execution(api: &Api, input: m::GetDurableExecutionRequest) -> Result<m::GetDurableExecutionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_durable_execution is not available yet"))
}

pub async fn get_durable_execution_history(api: &Api, input: m::GetDurableExecutionHistoryRequest) -> Result<m::GetDurableExecutionHistoryResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_durable_execution_history is not available yet"))
}

pub async fn get_durable_execution_state(api: &Api, input: m::GetDurableExecutionStateRequest) -> Result<m::GetDurableExecutionStateResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_durable_execution_state is not available yet"))
}

pub async fn list_durable_executions_by_function(api: &Api, input: m::ListDurableExecutionsByFunctionRequest) -> Result<m::ListDurableExecutionsByFunctionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_durable_executions_by_function is not available yet"))
}

pub async fn send_durable_execution_callback_failure(api: &Api, input: m::SendDurableExecutionCallbackFailureRequest) -> Result<m::SendDurableExecutionCallbackFailureResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("send_durable_execution_callback_failure is not available yet"))
}

pub async fn send_durable_execution_callback_heartbeat(api: &Api, input: m::SendDurableExecutionCallbackHeartbeatRequest) -> Result<m::SendDurableExecutionCallbackHeartbeatResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("send_durable_execution_callback_heartbeat is not available yet"))
}

pub async fn send_durable_execution_callback_success(api: &Api, input: m::SendDurableExecutionCallbackSuccessRequest) -> Result<m::SendDurableExecutionCallbackSuccessResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("send_durable_execution_callback_success is not available yet"))
}

pub async fn stop_durable_execution(api: &Api, input: m::StopDurableExecutionRequest) -> Result<m::StopDurableExecutionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("stop_durable_execution is not available yet"))
}
