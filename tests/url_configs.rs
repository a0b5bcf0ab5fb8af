//! Function URL configs through the real `aws-sdk-lambda`: create (URL format; the URLs themselves are served in tests/function_urls.rs), get, update,
//! list, delete, for `$LATEST` and aliases, with AWS's conflict and not-found errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::{Cors, FunctionUrlAuthType, InvokeMode};
use common::*;

#[tokio::test]
async fn url_config_lifecycle() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "uf").await;
    let created = c
        .create_function_url_config()
        .function_name("uf")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap();
    let url = created.function_url().to_string();
    // Served by fauxlambda, on its own port: `http://<id>.lambda-url.<region>.localhost:<port>/`.
    let id = url
        .strip_prefix("http://")
        .and_then(|r| r.strip_suffix(&format!(".lambda-url.us-east-1.localhost:{}/", server.port)))
        .expect("URL format");
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()));
    assert_eq!(
        created.function_arn(),
        "arn:aws:lambda:us-east-1:000000000000:function:uf"
    );
    assert_eq!(created.invoke_mode(), Some(&InvokeMode::Buffered));
    assert!(created.creation_time().ends_with('Z'));

    let dup = c
        .create_function_url_config()
        .function_name("uf")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(
        dup.message(),
        Some("Failed to create function url config for [functionArn = arn:aws:lambda:us-east-1:000000000000:function:uf]. Error message:  FunctionUrlConfig exists for this Lambda function")
    );

    let got = c.get_function_url_config().function_name("uf").send().await.unwrap();
    assert_eq!(got.function_url(), url);
    assert_eq!(got.auth_type(), &FunctionUrlAuthType::None);

    let cors = Cors::builder().allow_origins("*").max_age(60).build();
    let up = c
        .update_function_url_config()
        .function_name("uf")
        .auth_type(FunctionUrlAuthType::AwsIam)
        .cors(cors)
        .invoke_mode(InvokeMode::ResponseStream)
        .send()
        .await
        .unwrap();
    assert_eq!(up.auth_type(), &FunctionUrlAuthType::AwsIam);
    assert_eq!(up.cors().map(|c| c.allow_origins()), Some(&["*".to_string()][..]));
    assert_eq!(up.invoke_mode(), Some(&InvokeMode::ResponseStream));
    assert_eq!(up.function_url(), url);

    c.publish_version().function_name("uf").send().await.unwrap();
    c.create_alias()
        .function_name("uf")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    let aliased = c
        .create_function_url_config()
        .function_name("uf")
        .qualifier("live")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        aliased.function_arn(),
        "arn:aws:lambda:us-east-1:000000000000:function:uf:live"
    );
    assert_ne!(aliased.function_url(), url);
    let list = c.list_function_url_configs().function_name("uf").send().await.unwrap();
    assert_eq!(list.function_url_configs().len(), 2);
    let page = c
        .list_function_url_configs()
        .function_name("uf")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(page.next_marker().is_some());

    let version = c
        .create_function_url_config()
        .function_name("uf")
        .qualifier("1")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap_err();
    assert_eq!(version.code(), Some("ValidationException"));
    let no_alias = c
        .create_function_url_config()
        .function_name("uf")
        .qualifier("nope")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap_err();
    assert_eq!(no_alias.code(), Some("ResourceNotFoundException"));

    c.delete_function_url_config().function_name("uf").send().await.unwrap();
    let gone = c
        .get_function_url_config()
        .function_name("uf")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
    assert_eq!(gone.message(), Some("The resource you requested does not exist."));
    // Deleting the alias removes its URL.
    c.delete_alias().function_name("uf").name("live").send().await.unwrap();
    assert!(c
        .list_function_url_configs()
        .function_name("uf")
        .send()
        .await
        .unwrap()
        .function_url_configs()
        .is_empty());
}
