//! The Lambda API: `Api` implements the generated `LambdaApi` trait by handing each operation to
//! the module of its resource family (`api::functions::create_function`, `api::layers::...`).
//! Handlers work on typed inputs, ask the state actor and the package store, and answer
//! `ServiceError`s that the trait converts into each operation's error type.

pub mod account;
pub mod aliases;
pub mod async_invocation;
pub mod capacity_providers;
pub mod code_signing;
pub mod concurrency;
pub mod destinations;
pub mod durable_executions;
pub mod event_invoke_configs;
pub mod event_source_mappings;
pub mod event_sources;
pub mod function_spec;
pub mod functions;
pub mod hot_reload;
pub mod invoke;
pub mod layers;
pub mod permissions;
pub mod restart;
pub mod runtime_management;
pub mod streamed_invocation;
pub mod tags;
pub mod url_configs;
pub mod versions;

use crate::arn::Scope;
use crate::context::{self, RequestContext};
use crate::errors;
use crate::state::{Namespace, StateHandle};
use crate::store::Store;
use lambda_server::error as e;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// What every handler can reach.
#[derive(Clone)]
pub struct Api {
    pub state: StateHandle,
    pub store: Store,
    /// Context used outside requests (and for its defaults).
    pub defaults: RequestContext,
    /// The other AWS services (S3 for `S3Bucket` code; destinations and dead-letter queues).
    pub services: std::sync::Arc<crate::services::Services>,
    /// Runs invocations.
    pub execution: std::sync::Arc<crate::execution::Execution>,
    /// Asynchronous events waiting for their attempts.
    pub async_queue: async_invocation::AsyncQueue,
    /// The event source mappings' pollers.
    pub event_sources: event_sources::EventSources,
}

impl Api {
    /// Region and account of the request being served.
    pub fn scope(&self) -> Scope {
        let c = context::current_or(&self.defaults);
        Scope {
            region: c.region.to_string(),
            account: c.account.to_string(),
        }
    }

    /// `http://host:port` clients reach us at, for the URLs we hand out.
    pub fn base_url(&self) -> String {
        context::current_or(&self.defaults).base_url.to_string()
    }

    /// The namespace (region and account) of the request being served.
    pub fn namespace(&self) -> Namespace {
        Namespace::of(&context::current_or(&self.defaults))
    }

    /// Runs a job on the state of the request's namespace; a vanished actor is a
    /// `ServiceException`.
    pub async fn state<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut crate::state::State) -> R + Send + 'static,
    ) -> Result<R, ServiceError> {
        self.state
            .call(&self.namespace(), f)
            .await
            .map_err(|g| errors::service(g.to_string()))
    }

    /// The bytes of `s3://bucket/key` (code given as `S3Bucket`/`S3Key`), from the configured endpoint.
    pub async fn fetch_s3(&self, bucket: &str, key: &str, version: Option<&str>) -> Result<Vec<u8>, ServiceError> {
        crate::s3::fetch(&self.services, &self.scope().region, bucket, key, version).await
    }

    /// Runs a job that can fail on the state actor: its error, or a vanished actor's
    /// `ServiceException`, is the handler's.
    pub async fn state_try<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut crate::state::State) -> Result<R, ServiceError> + Send + 'static,
    ) -> Result<R, ServiceError> {
        self.state(f).await?
    }
}

impl lambda_server::LambdaApi for Api {
    async fn add_layer_version_permission(
        &self,
        input: m::AddLayerVersionPermissionRequest,
    ) -> Result<m::AddLayerVersionPermissionResponse, e::AddLayerVersionPermissionError> {
        layers::add_layer_version_permission(self, input)
            .await
            .map_err(Into::into)
    }

    async fn add_permission(
        &self,
        input: m::AddPermissionRequest,
    ) -> Result<m::AddPermissionResponse, e::AddPermissionError> {
        permissions::add_permission(self, input).await.map_err(Into::into)
    }

    async fn checkpoint_durable_execution(
        &self,
        input: m::CheckpointDurableExecutionRequest,
    ) -> Result<m::CheckpointDurableExecutionResponse, e::CheckpointDurableExecutionError> {
        durable_executions::checkpoint_durable_execution(self, input)
            .await
            .map_err(Into::into)
    }

    async fn create_alias(&self, input: m::CreateAliasRequest) -> Result<m::AliasConfiguration, e::CreateAliasError> {
        aliases::create_alias(self, input).await.map_err(Into::into)
    }

    async fn create_capacity_provider(
        &self,
        input: m::CreateCapacityProviderRequest,
    ) -> Result<m::CreateCapacityProviderResponse, e::CreateCapacityProviderError> {
        capacity_providers::create_capacity_provider(self, input)
            .await
            .map_err(Into::into)
    }

    async fn create_code_signing_config(
        &self,
        input: m::CreateCodeSigningConfigRequest,
    ) -> Result<m::CreateCodeSigningConfigResponse, e::CreateCodeSigningConfigError> {
        code_signing::create_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn create_event_source_mapping(
        &self,
        input: m::CreateEventSourceMappingRequest,
    ) -> Result<m::EventSourceMappingConfiguration, e::CreateEventSourceMappingError> {
        event_source_mappings::create_event_source_mapping(self, input)
            .await
            .map_err(Into::into)
    }

    async fn create_function(
        &self,
        input: m::CreateFunctionRequest,
    ) -> Result<m::FunctionConfiguration, e::CreateFunctionError> {
        functions::create_function(self, input).await.map_err(Into::into)
    }

    async fn create_function_url_config(
        &self,
        input: m::CreateFunctionUrlConfigRequest,
    ) -> Result<m::CreateFunctionUrlConfigResponse, e::CreateFunctionUrlConfigError> {
        url_configs::create_function_url_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_alias(&self, input: m::DeleteAliasRequest) -> Result<(), e::DeleteAliasError> {
        aliases::delete_alias(self, input).await.map_err(Into::into)
    }

    async fn delete_capacity_provider(
        &self,
        input: m::DeleteCapacityProviderRequest,
    ) -> Result<m::DeleteCapacityProviderResponse, e::DeleteCapacityProviderError> {
        capacity_providers::delete_capacity_provider(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_code_signing_config(
        &self,
        input: m::DeleteCodeSigningConfigRequest,
    ) -> Result<m::DeleteCodeSigningConfigResponse, e::DeleteCodeSigningConfigError> {
        code_signing::delete_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_event_source_mapping(
        &self,
        input: m::DeleteEventSourceMappingRequest,
    ) -> Result<m::EventSourceMappingConfiguration, e::DeleteEventSourceMappingError> {
        event_source_mappings::delete_event_source_mapping(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_function(
        &self,
        input: m::DeleteFunctionRequest,
    ) -> Result<m::DeleteFunctionResponse, e::DeleteFunctionError> {
        functions::delete_function(self, input).await.map_err(Into::into)
    }

    async fn delete_function_code_signing_config(
        &self,
        input: m::DeleteFunctionCodeSigningConfigRequest,
    ) -> Result<(), e::DeleteFunctionCodeSigningConfigError> {
        code_signing::delete_function_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_function_concurrency(
        &self,
        input: m::DeleteFunctionConcurrencyRequest,
    ) -> Result<(), e::DeleteFunctionConcurrencyError> {
        concurrency::delete_function_concurrency(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_function_event_invoke_config(
        &self,
        input: m::DeleteFunctionEventInvokeConfigRequest,
    ) -> Result<(), e::DeleteFunctionEventInvokeConfigError> {
        event_invoke_configs::delete_function_event_invoke_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_function_url_config(
        &self,
        input: m::DeleteFunctionUrlConfigRequest,
    ) -> Result<(), e::DeleteFunctionUrlConfigError> {
        url_configs::delete_function_url_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn delete_layer_version(
        &self,
        input: m::DeleteLayerVersionRequest,
    ) -> Result<(), e::DeleteLayerVersionError> {
        layers::delete_layer_version(self, input).await.map_err(Into::into)
    }

    async fn delete_provisioned_concurrency_config(
        &self,
        input: m::DeleteProvisionedConcurrencyConfigRequest,
    ) -> Result<(), e::DeleteProvisionedConcurrencyConfigError> {
        concurrency::delete_provisioned_concurrency_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_account_settings(
        &self,
        input: m::GetAccountSettingsRequest,
    ) -> Result<m::GetAccountSettingsResponse, e::GetAccountSettingsError> {
        account::get_account_settings(self, input).await.map_err(Into::into)
    }

    async fn get_alias(&self, input: m::GetAliasRequest) -> Result<m::AliasConfiguration, e::GetAliasError> {
        aliases::get_alias(self, input).await.map_err(Into::into)
    }

    async fn get_capacity_provider(
        &self,
        input: m::GetCapacityProviderRequest,
    ) -> Result<m::GetCapacityProviderResponse, e::GetCapacityProviderError> {
        capacity_providers::get_capacity_provider(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_code_signing_config(
        &self,
        input: m::GetCodeSigningConfigRequest,
    ) -> Result<m::GetCodeSigningConfigResponse, e::GetCodeSigningConfigError> {
        code_signing::get_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_durable_execution(
        &self,
        input: m::GetDurableExecutionRequest,
    ) -> Result<m::GetDurableExecutionResponse, e::GetDurableExecutionError> {
        durable_executions::get_durable_execution(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_durable_execution_history(
        &self,
        input: m::GetDurableExecutionHistoryRequest,
    ) -> Result<m::GetDurableExecutionHistoryResponse, e::GetDurableExecutionHistoryError> {
        durable_executions::get_durable_execution_history(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_durable_execution_state(
        &self,
        input: m::GetDurableExecutionStateRequest,
    ) -> Result<m::GetDurableExecutionStateResponse, e::GetDurableExecutionStateError> {
        durable_executions::get_durable_execution_state(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_event_source_mapping(
        &self,
        input: m::GetEventSourceMappingRequest,
    ) -> Result<m::EventSourceMappingConfiguration, e::GetEventSourceMappingError> {
        event_source_mappings::get_event_source_mapping(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function(&self, input: m::GetFunctionRequest) -> Result<m::GetFunctionResponse, e::GetFunctionError> {
        functions::get_function(self, input).await.map_err(Into::into)
    }

    async fn get_function_code_signing_config(
        &self,
        input: m::GetFunctionCodeSigningConfigRequest,
    ) -> Result<m::GetFunctionCodeSigningConfigResponse, e::GetFunctionCodeSigningConfigError> {
        code_signing::get_function_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_concurrency(
        &self,
        input: m::GetFunctionConcurrencyRequest,
    ) -> Result<m::GetFunctionConcurrencyResponse, e::GetFunctionConcurrencyError> {
        concurrency::get_function_concurrency(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_configuration(
        &self,
        input: m::GetFunctionConfigurationRequest,
    ) -> Result<m::FunctionConfiguration, e::GetFunctionConfigurationError> {
        functions::get_function_configuration(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_event_invoke_config(
        &self,
        input: m::GetFunctionEventInvokeConfigRequest,
    ) -> Result<m::FunctionEventInvokeConfig, e::GetFunctionEventInvokeConfigError> {
        event_invoke_configs::get_function_event_invoke_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_recursion_config(
        &self,
        input: m::GetFunctionRecursionConfigRequest,
    ) -> Result<m::GetFunctionRecursionConfigResponse, e::GetFunctionRecursionConfigError> {
        runtime_management::get_function_recursion_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_scaling_config(
        &self,
        input: m::GetFunctionScalingConfigRequest,
    ) -> Result<m::GetFunctionScalingConfigResponse, e::GetFunctionScalingConfigError> {
        capacity_providers::get_function_scaling_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_function_url_config(
        &self,
        input: m::GetFunctionUrlConfigRequest,
    ) -> Result<m::GetFunctionUrlConfigResponse, e::GetFunctionUrlConfigError> {
        url_configs::get_function_url_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_layer_version(
        &self,
        input: m::GetLayerVersionRequest,
    ) -> Result<m::GetLayerVersionResponse, e::GetLayerVersionError> {
        layers::get_layer_version(self, input).await.map_err(Into::into)
    }

    async fn get_layer_version_by_arn(
        &self,
        input: m::GetLayerVersionByArnRequest,
    ) -> Result<m::GetLayerVersionResponse, e::GetLayerVersionByArnError> {
        layers::get_layer_version_by_arn(self, input).await.map_err(Into::into)
    }

    async fn get_layer_version_policy(
        &self,
        input: m::GetLayerVersionPolicyRequest,
    ) -> Result<m::GetLayerVersionPolicyResponse, e::GetLayerVersionPolicyError> {
        layers::get_layer_version_policy(self, input).await.map_err(Into::into)
    }

    async fn get_policy(&self, input: m::GetPolicyRequest) -> Result<m::GetPolicyResponse, e::GetPolicyError> {
        permissions::get_policy(self, input).await.map_err(Into::into)
    }

    async fn get_provisioned_concurrency_config(
        &self,
        input: m::GetProvisionedConcurrencyConfigRequest,
    ) -> Result<m::GetProvisionedConcurrencyConfigResponse, e::GetProvisionedConcurrencyConfigError> {
        concurrency::get_provisioned_concurrency_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn get_runtime_management_config(
        &self,
        input: m::GetRuntimeManagementConfigRequest,
    ) -> Result<m::GetRuntimeManagementConfigResponse, e::GetRuntimeManagementConfigError> {
        runtime_management::get_runtime_management_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn invoke(&self, input: m::InvocationRequest) -> Result<m::InvocationResponse, e::InvokeError> {
        invoke::invoke(self, input).await.map_err(Into::into)
    }

    async fn invoke_async(&self, input: m::InvokeAsyncRequest) -> Result<m::InvokeAsyncResponse, e::InvokeAsyncError> {
        invoke::invoke_async(self, input).await.map_err(Into::into)
    }

    async fn invoke_with_response_stream(
        &self,
        input: m::InvokeWithResponseStreamRequest,
    ) -> Result<m::InvokeWithResponseStreamResponse, e::InvokeWithResponseStreamError> {
        invoke::invoke_with_response_stream(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_aliases(&self, input: m::ListAliasesRequest) -> Result<m::ListAliasesResponse, e::ListAliasesError> {
        aliases::list_aliases(self, input).await.map_err(Into::into)
    }

    async fn list_capacity_providers(
        &self,
        input: m::ListCapacityProvidersRequest,
    ) -> Result<m::ListCapacityProvidersResponse, e::ListCapacityProvidersError> {
        capacity_providers::list_capacity_providers(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_code_signing_configs(
        &self,
        input: m::ListCodeSigningConfigsRequest,
    ) -> Result<m::ListCodeSigningConfigsResponse, e::ListCodeSigningConfigsError> {
        code_signing::list_code_signing_configs(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_durable_executions_by_function(
        &self,
        input: m::ListDurableExecutionsByFunctionRequest,
    ) -> Result<m::ListDurableExecutionsByFunctionResponse, e::ListDurableExecutionsByFunctionError> {
        durable_executions::list_durable_executions_by_function(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_event_source_mappings(
        &self,
        input: m::ListEventSourceMappingsRequest,
    ) -> Result<m::ListEventSourceMappingsResponse, e::ListEventSourceMappingsError> {
        event_source_mappings::list_event_source_mappings(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_function_event_invoke_configs(
        &self,
        input: m::ListFunctionEventInvokeConfigsRequest,
    ) -> Result<m::ListFunctionEventInvokeConfigsResponse, e::ListFunctionEventInvokeConfigsError> {
        event_invoke_configs::list_function_event_invoke_configs(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_function_url_configs(
        &self,
        input: m::ListFunctionUrlConfigsRequest,
    ) -> Result<m::ListFunctionUrlConfigsResponse, e::ListFunctionUrlConfigsError> {
        url_configs::list_function_url_configs(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_function_versions_by_capacity_provider(
        &self,
        input: m::ListFunctionVersionsByCapacityProviderRequest,
    ) -> Result<m::ListFunctionVersionsByCapacityProviderResponse, e::ListFunctionVersionsByCapacityProviderError> {
        capacity_providers::list_function_versions_by_capacity_provider(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_functions(
        &self,
        input: m::ListFunctionsRequest,
    ) -> Result<m::ListFunctionsResponse, e::ListFunctionsError> {
        functions::list_functions(self, input).await.map_err(Into::into)
    }

    async fn list_functions_by_code_signing_config(
        &self,
        input: m::ListFunctionsByCodeSigningConfigRequest,
    ) -> Result<m::ListFunctionsByCodeSigningConfigResponse, e::ListFunctionsByCodeSigningConfigError> {
        code_signing::list_functions_by_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_layer_versions(
        &self,
        input: m::ListLayerVersionsRequest,
    ) -> Result<m::ListLayerVersionsResponse, e::ListLayerVersionsError> {
        layers::list_layer_versions(self, input).await.map_err(Into::into)
    }

    async fn list_layers(&self, input: m::ListLayersRequest) -> Result<m::ListLayersResponse, e::ListLayersError> {
        layers::list_layers(self, input).await.map_err(Into::into)
    }

    async fn list_provisioned_concurrency_configs(
        &self,
        input: m::ListProvisionedConcurrencyConfigsRequest,
    ) -> Result<m::ListProvisionedConcurrencyConfigsResponse, e::ListProvisionedConcurrencyConfigsError> {
        concurrency::list_provisioned_concurrency_configs(self, input)
            .await
            .map_err(Into::into)
    }

    async fn list_tags(&self, input: m::ListTagsRequest) -> Result<m::ListTagsResponse, e::ListTagsError> {
        tags::list_tags(self, input).await.map_err(Into::into)
    }

    async fn list_versions_by_function(
        &self,
        input: m::ListVersionsByFunctionRequest,
    ) -> Result<m::ListVersionsByFunctionResponse, e::ListVersionsByFunctionError> {
        versions::list_versions_by_function(self, input)
            .await
            .map_err(Into::into)
    }

    async fn publish_layer_version(
        &self,
        input: m::PublishLayerVersionRequest,
    ) -> Result<m::PublishLayerVersionResponse, e::PublishLayerVersionError> {
        layers::publish_layer_version(self, input).await.map_err(Into::into)
    }

    async fn publish_version(
        &self,
        input: m::PublishVersionRequest,
    ) -> Result<m::FunctionConfiguration, e::PublishVersionError> {
        versions::publish_version(self, input).await.map_err(Into::into)
    }

    async fn put_function_code_signing_config(
        &self,
        input: m::PutFunctionCodeSigningConfigRequest,
    ) -> Result<m::PutFunctionCodeSigningConfigResponse, e::PutFunctionCodeSigningConfigError> {
        code_signing::put_function_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_function_concurrency(
        &self,
        input: m::PutFunctionConcurrencyRequest,
    ) -> Result<m::Concurrency, e::PutFunctionConcurrencyError> {
        concurrency::put_function_concurrency(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_function_event_invoke_config(
        &self,
        input: m::PutFunctionEventInvokeConfigRequest,
    ) -> Result<m::FunctionEventInvokeConfig, e::PutFunctionEventInvokeConfigError> {
        event_invoke_configs::put_function_event_invoke_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_function_recursion_config(
        &self,
        input: m::PutFunctionRecursionConfigRequest,
    ) -> Result<m::PutFunctionRecursionConfigResponse, e::PutFunctionRecursionConfigError> {
        runtime_management::put_function_recursion_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_function_scaling_config(
        &self,
        input: m::PutFunctionScalingConfigRequest,
    ) -> Result<m::PutFunctionScalingConfigResponse, e::PutFunctionScalingConfigError> {
        capacity_providers::put_function_scaling_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_provisioned_concurrency_config(
        &self,
        input: m::PutProvisionedConcurrencyConfigRequest,
    ) -> Result<m::PutProvisionedConcurrencyConfigResponse, e::PutProvisionedConcurrencyConfigError> {
        concurrency::put_provisioned_concurrency_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn put_runtime_management_config(
        &self,
        input: m::PutRuntimeManagementConfigRequest,
    ) -> Result<m::PutRuntimeManagementConfigResponse, e::PutRuntimeManagementConfigError> {
        runtime_management::put_runtime_management_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn remove_layer_version_permission(
        &self,
        input: m::RemoveLayerVersionPermissionRequest,
    ) -> Result<(), e::RemoveLayerVersionPermissionError> {
        layers::remove_layer_version_permission(self, input)
            .await
            .map_err(Into::into)
    }

    async fn remove_permission(&self, input: m::RemovePermissionRequest) -> Result<(), e::RemovePermissionError> {
        permissions::remove_permission(self, input).await.map_err(Into::into)
    }

    async fn send_durable_execution_callback_failure(
        &self,
        input: m::SendDurableExecutionCallbackFailureRequest,
    ) -> Result<m::SendDurableExecutionCallbackFailureResponse, e::SendDurableExecutionCallbackFailureError> {
        durable_executions::send_durable_execution_callback_failure(self, input)
            .await
            .map_err(Into::into)
    }

    async fn send_durable_execution_callback_heartbeat(
        &self,
        input: m::SendDurableExecutionCallbackHeartbeatRequest,
    ) -> Result<m::SendDurableExecutionCallbackHeartbeatResponse, e::SendDurableExecutionCallbackHeartbeatError> {
        durable_executions::send_durable_execution_callback_heartbeat(self, input)
            .await
            .map_err(Into::into)
    }

    async fn send_durable_execution_callback_success(
        &self,
        input: m::SendDurableExecutionCallbackSuccessRequest,
    ) -> Result<m::SendDurableExecutionCallbackSuccessResponse, e::SendDurableExecutionCallbackSuccessError> {
        durable_executions::send_durable_execution_callback_success(self, input)
            .await
            .map_err(Into::into)
    }

    async fn stop_durable_execution(
        &self,
        input: m::StopDurableExecutionRequest,
    ) -> Result<m::StopDurableExecutionResponse, e::StopDurableExecutionError> {
        durable_executions::stop_durable_execution(self, input)
            .await
            .map_err(Into::into)
    }

    async fn tag_resource(&self, input: m::TagResourceRequest) -> Result<(), e::TagResourceError> {
        tags::tag_resource(self, input).await.map_err(Into::into)
    }

    async fn untag_resource(&self, input: m::UntagResourceRequest) -> Result<(), e::UntagResourceError> {
        tags::untag_resource(self, input).await.map_err(Into::into)
    }

    async fn update_alias(&self, input: m::UpdateAliasRequest) -> Result<m::AliasConfiguration, e::UpdateAliasError> {
        aliases::update_alias(self, input).await.map_err(Into::into)
    }

    async fn update_capacity_provider(
        &self,
        input: m::UpdateCapacityProviderRequest,
    ) -> Result<m::UpdateCapacityProviderResponse, e::UpdateCapacityProviderError> {
        capacity_providers::update_capacity_provider(self, input)
            .await
            .map_err(Into::into)
    }

    async fn update_code_signing_config(
        &self,
        input: m::UpdateCodeSigningConfigRequest,
    ) -> Result<m::UpdateCodeSigningConfigResponse, e::UpdateCodeSigningConfigError> {
        code_signing::update_code_signing_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn update_event_source_mapping(
        &self,
        input: m::UpdateEventSourceMappingRequest,
    ) -> Result<m::EventSourceMappingConfiguration, e::UpdateEventSourceMappingError> {
        event_source_mappings::update_event_source_mapping(self, input)
            .await
            .map_err(Into::into)
    }

    async fn update_function_code(
        &self,
        input: m::UpdateFunctionCodeRequest,
    ) -> Result<m::FunctionConfiguration, e::UpdateFunctionCodeError> {
        functions::update_function_code(self, input).await.map_err(Into::into)
    }

    async fn update_function_configuration(
        &self,
        input: m::UpdateFunctionConfigurationRequest,
    ) -> Result<m::FunctionConfiguration, e::UpdateFunctionConfigurationError> {
        functions::update_function_configuration(self, input)
            .await
            .map_err(Into::into)
    }

    async fn update_function_event_invoke_config(
        &self,
        input: m::UpdateFunctionEventInvokeConfigRequest,
    ) -> Result<m::FunctionEventInvokeConfig, e::UpdateFunctionEventInvokeConfigError> {
        event_invoke_configs::update_function_event_invoke_config(self, input)
            .await
            .map_err(Into::into)
    }

    async fn update_function_url_config(
        &self,
        input: m::UpdateFunctionUrlConfigRequest,
    ) -> Result<m::UpdateFunctionUrlConfigResponse, e::UpdateFunctionUrlConfigError> {
        url_configs::update_function_url_config(self, input)
            .await
            .map_err(Into::into)
    }
}
