"""Runs a moto server on 127.0.0.1 for one test process.

Prints the port on the first line of stdout, then serves until stdin closes: the server dies
with the test process that started it, even if that process is killed.

With SECAUDIT_MOTO_KEEPALIVE set, moto is served by waitress, which keeps HTTP/1.1 connections
open as AWS does; moto's own server (werkzeug) closes every connection, which makes a client
pay a TCP set-up per request. The benchmark uses it so that its CPU figures are the client's
work, not connection churn that AWS would not cause.

DescribeSnapshots honours `OwnerIds` and `RestorableByUserIds`, as AWS does and moto 5.1.18
does not (it returns every snapshot): the public-snapshot check asks for exactly those.

Snapshot block public access (get, enable) is emulated per account and region.

APIs moto 5.1.18 lacks are answered as AWS documents them, each with its state per account and
region: Lambda's ListFunctionUrlConfigs, SSM's service settings (GetServiceSetting,
UpdateServiceSetting) and patch compliance (PutComplianceItems,
ListResourceComplianceSummaries), Redshift Serverless workgroups (CreateWorkgroup,
ListWorkgroups, ListTagsForResource), Elastic Beanstalk's DescribeConfigurationSettings, S3
Multi-Region Access Points, Macie's automated discovery setting and IAM Access Analyzer.
CloudFront's CreateDistribution answers with the root element AWS uses, and its XML booleans are
lowercase; so are launch templates' booleans. DMS's, MSK's, SageMaker's, EMR's, Inspector's,
Macie's and Security Hub's answers are corrected where moto's differ from AWS's.

With SECAUDIT_MOTO_BUCKET_REGION set, ListBuckets names each bucket's region (`BucketRegion`),
as S3 has since 2024 and moto does not: the client then skips its per-bucket location lookup,
as it does against AWS.
"""
import os
import socket
import sys
import threading

# AWS-managed policies (AdministratorAccess) must exist to be attached; default AMIs only
# slow start-up (instances launch with any AMI id).
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# moto counts the automated snapshot of each new DB instance against the manual-snapshot quota
# (100), so the benchmark's larger accounts could not be created.
os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "100000")

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)
from moto.server import ThreadedMotoServer  # noqa: E402


def list_bucket_regions() -> None:
    import moto.s3.responses as s3_responses

    # The handler renders this module global on every call, so replacing it is enough.
    s3_responses.S3_ALL_BUCKETS = s3_responses.S3_ALL_BUCKETS.replace(
        "</CreationDate>",
        "</CreationDate><BucketRegion>{{ bucket.region_name }}</BucketRegion>",
    )
    assert "<BucketRegion>" in s3_responses.S3_ALL_BUCKETS, "moto's bucket list changed"


def snapshots_filtered_as_aws() -> None:
    from moto.ec2.responses import elastic_block_store as ebs

    def describe_snapshots(self):  # type: ignore[no-untyped-def]
        filters = self._filters_from_querystring()
        snapshot_ids = self._get_param("SnapshotIds", [])
        snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
        owners = self._get_param("OwnerIds", [])
        if owners:
            account = self.current_account
            snapshots = [s for s in snapshots if s.owner_id in owners or ("self" in owners and s.owner_id == account)]
        restorers = self._get_param("RestorableByUserIds", [])
        if restorers:
            snapshots = [
                s
                for s in snapshots
                if ("all" in restorers and "all" in s.create_volume_permission_groups)
                or set(restorers) & s.create_volume_permission_userids
            ]
        return self.response_template(ebs.DESCRIBE_SNAPSHOTS_RESPONSE).render(snapshots=snapshots)

    assert hasattr(ebs.ElasticBlockStore, "describe_snapshots"), "moto's snapshot listing moved"
    ebs.ElasticBlockStore.describe_snapshots = describe_snapshots


def snapshot_block_public_access() -> None:
    """GetSnapshotBlockPublicAccessState and EnableSnapshotBlockPublicAccess, which moto 5.1.18
    answers with a 500: a state per account and region, `unblocked` until enabled."""
    from moto.ec2.responses import EC2Response

    states: dict = {}
    template = (
        '<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>secaudit-test</requestId><state>{state}</state>{extra}</{action}Response>"
    )

    def key(self):  # type: ignore[no-untyped-def]
        return (self.current_account, self.region)

    def get_state(self):  # type: ignore[no-untyped-def]
        state = states.get(key(self), "unblocked")
        return template.format(
            action="GetSnapshotBlockPublicAccessState",
            state=state,
            extra="<managedBy>account</managedBy>",
        )

    def enable(self):  # type: ignore[no-untyped-def]
        states[key(self)] = self._get_param("State")
        return template.format(
            action="EnableSnapshotBlockPublicAccess", state=states[key(self)], extra=""
        )

    assert not hasattr(EC2Response, "get_snapshot_block_public_access_state"), "moto has it now"
    EC2Response.get_snapshot_block_public_access_state = get_state
    EC2Response.enable_snapshot_block_public_access = enable


def lambda_function_url_listing() -> None:
    """ListFunctionUrlConfigs (GET .../functions/NAME/urls), a route moto does not have. moto
    keeps one URL configuration per function (it ignores qualifiers), so that is the list."""
    import json
    from urllib.parse import unquote

    import moto.awslambda.urls as urls
    from moto.awslambda.responses import LambdaResponse

    def list_function_url_configs(self):  # type: ignore[no-untyped-def]
        function = self.backend.get_function(unquote(self.path.split("/")[-2]), None)
        configs = [function.url_config.to_dict()] if function.url_config else []
        return 200, {}, json.dumps({"FunctionUrlConfigs": configs})

    assert not hasattr(LambdaResponse, "list_function_url_configs"), "moto has it now"
    urls.url_paths[r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"] = (
        LambdaResponse.dispatch
    )
    LambdaResponse.list_function_url_configs = list_function_url_configs


def ssm_settings_and_compliance() -> None:
    """Service settings (AWS's default for public document sharing is `Enable`) and patch
    compliance summaries: a resource is NON_COMPLIANT when one of its items is."""
    import json

    from moto.ssm.responses import SimpleSystemManagerResponse as Response

    settings: dict = {}
    compliance: dict = {}
    defaults = {"/ssm/documents/console/public-sharing-permission": "Enable"}

    def setting_key(self):  # type: ignore[no-untyped-def]
        setting = self._get_param("SettingId").split(":servicesetting", 1)[-1]
        return (self.current_account, self.region, setting)

    def get_service_setting(self):  # type: ignore[no-untyped-def]
        account, region, setting = setting_key(self)
        value = settings.get((account, region, setting), defaults.get(setting))
        if value is None:
            return 400, {}, json.dumps({"__type": "ServiceSettingNotFound", "message": setting})
        arn = f"arn:aws:ssm:{region}:{account}:servicesetting{setting}"
        status = "Customized" if (account, region, setting) in settings else "Default"
        return json.dumps({"ServiceSetting": {"SettingId": setting, "SettingValue": value, "ARN": arn, "Status": status}})

    def update_service_setting(self):  # type: ignore[no-untyped-def]
        settings[setting_key(self)] = self._get_param("SettingValue")
        return "{}"

    def put_compliance_items(self):  # type: ignore[no-untyped-def]
        key = (self.current_account, self.region, self._get_param("ResourceId"))
        compliance[key] = (self._get_param("ComplianceType"), self._get_param("Items"))
        return "{}"

    def list_resource_compliance_summaries(self):  # type: ignore[no-untyped-def]
        wanted = [f["Values"] for f in self._get_param("Filters") or [] if f["Key"] == "ComplianceType"]
        summaries = []
        for (account, region, resource), (kind, items) in compliance.items():
            if (account, region) != (self.current_account, self.region) or (wanted and kind not in wanted[0]):
                continue
            failing = [i for i in items if i.get("Status") == "NON_COMPLIANT"]
            summaries.append({
                "ComplianceType": kind,
                "ResourceType": "ManagedInstance",
                "ResourceId": resource,
                "Status": "NON_COMPLIANT" if failing else "COMPLIANT",
                "OverallSeverity": failing[0].get("Severity", "UNSPECIFIED") if failing else "UNSPECIFIED",
                "CompliantSummary": {"CompliantCount": len(items) - len(failing)},
                "NonCompliantSummary": {"NonCompliantCount": len(failing)},
            })
        return json.dumps({"ResourceComplianceSummaryItems": summaries})

    for name, method in [
        ("get_service_setting", get_service_setting),
        ("update_service_setting", update_service_setting),
        ("put_compliance_items", put_compliance_items),
        ("list_resource_compliance_summaries", list_resource_compliance_summaries),
    ]:
        assert not hasattr(Response, name), f"moto has {name} now"
        setattr(Response, name, method)


def answered_around_moto() -> None:
    """Redshift Serverless' CreateWorkgroup, ListWorkgroups and ListTagsForResource: moto has no backend for it, so
    these JSON calls are answered before moto's dispatcher sees them; so are S3 Multi-Region
    Access Points (create, list), Macie's automated discovery setting and IAM Access Analyzer
    (create, list). CloudFront's answers get
    AWS's lowercase booleans."""
    import json

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication as App

    workgroups: dict = {}
    tags: dict = {}
    dispatch = App.__call__

    multi_region_points: dict = {}

    def multi_region_access_points(environ, start_response):  # type: ignore[no-untyped-def]
        """S3 Control's CreateMultiRegionAccessPoint and ListMultiRegionAccessPoints (moto
        answers 404), per account, with the block public access each was created with."""
        import xml.etree.ElementTree as ElementTree

        path = environ.get("PATH_INFO", "")
        account = environ.get("HTTP_X_AMZ_ACCOUNT_ID", "123456789012")
        mine = multi_region_points.setdefault(account, {})
        xml = [("Content-Type", "application/xml")]
        if path == "/v20180820/async-requests/mrap/create":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = ElementTree.fromstring(environ["wsgi.input"].read(length))
            strip = lambda tag: tag.split("}")[-1]  # noqa: E731
            details = next(e for e in request.iter() if strip(e.tag) == "Details")
            name = next(e.text for e in details if strip(e.tag) == "Name")
            block = {setting: "true" for setting in
                     ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
            for element in details.iter():
                if strip(element.tag) in block:
                    block[strip(element.tag)] = (element.text or "").strip().lower()
            mine[name] = block
            start_response("202 Accepted", xml)
            token = f"arn:aws:s3:us-west-2:{account}:async-request/mrap/create/{name}"
            return [f"<CreateMultiRegionAccessPointResult><RequestTokenARN>{token}</RequestTokenARN></CreateMultiRegionAccessPointResult>".encode()]
        points = "".join(
            f"<AccessPoint><Name>{name}</Name><Alias>{name}-alias.mrap</Alias><Status>READY</Status>"
            f"<PublicAccessBlock>{''.join(f'<{k}>{v}</{k}>' for k, v in block.items())}</PublicAccessBlock></AccessPoint>"
            for name, block in mine.items()
        )
        start_response("200 OK", xml)
        return [f"<ListMultiRegionAccessPointsResult><AccessPoints>{points}</AccessPoints></ListMultiRegionAccessPointsResult>".encode()]

    automated_discovery: dict = {}

    def macie_automated_discovery(environ, start_response):  # type: ignore[no-untyped-def]
        """Macie's Get/UpdateAutomatedDiscoveryConfiguration (moto: 404), per account and
        region; `DISABLED` until updated."""
        credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
        key = (credential[0], credential[2] if len(credential) > 2 else "us-east-1")
        if environ["REQUEST_METHOD"] == "PUT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            automated_discovery[key] = json.loads(environ["wsgi.input"].read(length) or b"{}")["status"]
            body = {}
        else:
            body = {"status": automated_discovery.get(key, "DISABLED"), "classificationScopeId": "0" * 32}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    analyzers: dict = {}

    def access_analyzers(environ, start_response):  # type: ignore[no-untyped-def]
        """IAM Access Analyzer's CreateAnalyzer and ListAnalyzers (moto has no Access
        Analyzer), per account and region; an analyzer is ACTIVE once created."""
        credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
        account, region = credential[0], credential[2] if len(credential) > 2 else "us-east-1"
        mine = analyzers.setdefault((account, region), {})
        if environ["REQUEST_METHOD"] == "PUT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            name = request["analyzerName"]
            arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
            mine[name] = {"arn": arn, "name": name, "type": request["type"], "status": "ACTIVE",
                          "createdAt": "2026-12-01T00:00:00Z", "tags": request.get("tags", {})}
            body = {"arn": arn}
        else:
            body = {"analyzers": list(mine.values())}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def answer(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if path == "/analyzer" and "/access-analyzer/" in environ.get("HTTP_AUTHORIZATION", ""):
            return access_analyzers(environ, start_response)
        if path in ("/v20180820/mrap/instances", "/v20180820/async-requests/mrap/create"):
            return multi_region_access_points(environ, start_response)
        if path == "/automated-discovery/configuration":
            return macie_automated_discovery(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("RedshiftServerless."):
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
        account = credential[0] if credential[0].isdigit() and len(credential[0]) == 12 else "123456789012"
        region = credential[2] if len(credential) > 2 else "us-east-1"
        mine = workgroups.setdefault((account, region), {})
        if target.endswith(".CreateWorkgroup"):
            name = request["workgroupName"]
            mine[name] = {
                "workgroupName": name,
                "workgroupArn": f"arn:aws:redshift-serverless:{region}:{account}:workgroup/{name}",
                "namespaceName": request.get("namespaceName", ""),
                "publiclyAccessible": bool(request.get("publiclyAccessible", False)),
                "enhancedVpcRouting": bool(request.get("enhancedVpcRouting", False)),
                "status": "AVAILABLE",
            }
            tags[mine[name]["workgroupArn"]] = request.get("tags", [])
            body = {"workgroup": mine[name]}
        elif target.endswith(".ListWorkgroups"):
            body = {"workgroups": list(mine.values())}
        elif target.endswith(".ListTagsForResource"):
            body = {"tags": tags.get(request.get("resourceArn"), [])}
        else:
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")])
            return [json.dumps({"__type": "ValidationException", "message": "not emulated"}).encode()]
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
        return [json.dumps(body).encode()]

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        answered = answer(environ, start_response)
        if answered is not None:
            return answered
        if not environ.get("PATH_INFO", "").startswith("/2020-05-31/"):
            return dispatch(self, environ, start_response)
        # CloudFront: moto writes Python's `True`/`False` in some XML booleans; AWS (and the
        # Rust SDK's parser) use `true`/`false`.
        captured: dict = {}

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            captured["status"], captured["headers"] = status, headers

        body = b"".join(dispatch(self, environ, capture))
        body = body.replace(b">True<", b">true<").replace(b">False<", b">false<")
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(body)))])
        return [body]

    App.__call__ = call


def cloudfront_create_distribution_root() -> None:
    """CreateDistribution answers with a `<Distribution>` root, as AWS does (moto wraps it in
    `<CreateDistributionResult>`, which the Rust SDK refuses to parse)."""
    import moto.cloudfront.responses as cloudfront

    template = cloudfront.CREATE_DISTRIBUTION_TEMPLATE
    assert "CreateDistributionResult" in template, "moto's CreateDistribution answer changed"
    cloudfront.CREATE_DISTRIBUTION_TEMPLATE = template.replace("CreateDistributionResult", "Distribution")


def launch_template_booleans_lowercase() -> None:
    import moto.ec2.responses.launch_templates as templates

    # moto writes a launch template's booleans as Python does (`True`), which the SDK rejects
    # (failing the whole answer); AWS writes `true`. The serializer recurses through the
    # module's global, so replacing it reaches every level.
    original = templates.xml_serialize

    def serialize(tree, key, value):  # type: ignore[no-untyped-def]
        if isinstance(value, bool):
            value = "true" if value else "false"
        original(tree, key, value)

    templates.xml_serialize = serialize


def newer_services_as_aws() -> None:
    """DMS, MSK, SageMaker and EMR answer as AWS does. moto 5.1.18 writes DMS's
    `InstanceCreateTime` and SageMaker notebooks' `CreationTime` and `LastModifiedTime` as
    strings where the JSON protocol has epoch seconds, and MSK's `creationTime` without a time
    zone: the Rust SDK then rejects the whole answer. EMR's
    PutBlockPublicAccessConfiguration stores `false` as `true` (`... or True`), and a region
    never configured answers an empty configuration where AWS answers its default (on, port
    22 permitted). EMR reads the region from the host name only, so on 127.0.0.1 every region
    was us-east-1: it now falls back to the signature's region, as moto's other services do."""
    from datetime import datetime, timezone

    import moto.dms.models as dms
    import moto.emr.responses as emr
    import moto.kafka.models as kafka
    import moto.sagemaker.models as sagemaker

    instance_dict = dms.FakeReplicationInstance.to_dict

    def replication_instance(self):  # type: ignore[no-untyped-def]
        answer = instance_dict(self)
        answer["InstanceCreateTime"] = self.creation_date.replace(tzinfo=timezone.utc).timestamp()
        return answer

    dms.FakeReplicationInstance.to_dict = replication_instance

    cluster_init = kafka.FakeKafkaCluster.__init__

    def kafka_cluster(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        cluster_init(self, *args, **kwargs)
        self.creation_time = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    kafka.FakeKafkaCluster.__init__ = kafka_cluster

    notebook_dict = sagemaker.FakeSagemakerNotebookInstance.to_dict

    def notebook(self):  # type: ignore[no-untyped-def]
        answer = notebook_dict(self)
        for key, value in [("CreationTime", self.creation_time), ("LastModifiedTime", self.last_modified_time)]:
            answer[key] = value.replace(tzinfo=timezone.utc).timestamp()
        return answer

    sagemaker.FakeSagemakerNotebookInstance.to_dict = notebook

    get_setting = emr.ElasticMapReduceResponse.get_block_public_access_configuration

    def get_block_public_access(self):  # type: ignore[no-untyped-def]
        if not self.backend.get_block_public_access_configuration():
            self.backend.put_block_public_access_configuration(True, [{"MinRange": 22, "MaxRange": 22}])
        return get_setting(self)

    def put_block_public_access(self):  # type: ignore[no-untyped-def]
        setting = self._get_params().get("BlockPublicAccessConfiguration") or {}
        self.backend.put_block_public_access_configuration(
            block_public_security_group_rules=bool(setting.get("BlockPublicSecurityGroupRules")),
            rule_ranges=setting.get("PermittedPublicSecurityGroupRuleRanges"),
        )
        return emr.EmptyResult()

    emr_region = emr.ElasticMapReduceResponse.get_region_from_url

    def region_from_host_or_signature(self, request, full_url):  # type: ignore[no-untyped-def]
        if any(regex.search(self.parsed_url.netloc) for regex in self.emr_region_regex):
            return emr_region(self, request, full_url)
        return emr.BaseResponse.get_region_from_url(self, request, full_url)

    emr.ElasticMapReduceResponse.get_region_from_url = region_from_host_or_signature
    emr.ElasticMapReduceResponse.get_block_public_access_configuration = get_block_public_access
    emr.ElasticMapReduceResponse.put_block_public_access_configuration = put_block_public_access


def inspector_account_status_as_aws() -> None:
    """BatchGetAccountStatus answers for every account asked about, as AWS does (an account
    never activated has every scan type `DISABLED`); moto 5.1.18 leaves such an account out."""
    import moto.inspector2.models as inspector

    def batch_get_account_status(self, account_ids):  # type: ignore[no-untyped-def]
        for account in account_ids or [self.account_id]:
            self.account_status.setdefault(account, inspector.AccountStatus(account))
        asked = account_ids or [self.account_id]
        return [s.to_batch_json() for a, s in self.account_status.items() if a in asked]

    inspector.Inspector2Backend.batch_get_account_status = batch_get_account_status


def beanstalk_configuration_settings() -> None:
    """Elastic Beanstalk's DescribeConfigurationSettings, which moto 5.1.18 lacks (500): an
    environment's option settings as CreateEnvironment gave them."""
    import moto.elasticbeanstalk.responses as beanstalk

    Response = beanstalk.EBResponse
    assert not hasattr(Response, "describe_configuration_settings"), "moto has it now"
    create = Response.create_environment

    def environment(self, name):  # type: ignore[no-untyped-def]
        found = [e for e in self.elasticbeanstalk_backend.describe_environments() if e.environment_name == name]
        return found[0] if found else None

    def create_environment(self):  # type: ignore[no-untyped-def]
        answer = create(self)
        created = environment(self, self._get_param("EnvironmentName"))
        created.option_settings = self._get_param("OptionSettings", [])
        return answer

    def describe_configuration_settings(self):  # type: ignore[no-untyped-def]
        name = self._get_param("EnvironmentName")
        described = environment(self, name)
        if described is None:
            raise beanstalk.InvalidParameterValueError(f"No Environment found for EnvironmentName = '{name}'.")
        setting = {
            "ApplicationName": self._get_param("ApplicationName"),
            "EnvironmentName": name,
            "OptionSettings": getattr(described, "option_settings", []),
        }
        return beanstalk.ActionResult({"ConfigurationSettings": [setting]})

    Response.create_environment = create_environment
    Response.describe_configuration_settings = describe_configuration_settings


def macie_session_as_aws() -> None:
    """Macie is off until EnableMacie, and answers every call with AccessDeniedException "Macie
    is not enabled." meanwhile (moto 5.1.18 starts every account enabled); its timestamps carry
    a time zone, as AWS's do (the Rust SDK rejects them without)."""
    import moto.macie2.exceptions as macie_errors
    import moto.macie2.models as macie

    init = macie.MacieBackend.__init__

    def backend(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        init(self, *args, **kwargs)
        self.macie_session = None

    def get_macie_session(self):  # type: ignore[no-untyped-def]
        if not self.macie_session:
            raise macie_errors.AccessDeniedException("Macie is not enabled.")
        session = dict(self.macie_session)
        for key in ("createdAt", "updatedAt"):
            session[key] = session[key].strftime("%Y-%m-%dT%H:%M:%SZ")
        return session

    macie.MacieBackend.__init__ = backend
    macie.MacieBackend.get_macie_session = get_macie_session


def securityhub_errors_as_json() -> None:
    """Security Hub (a REST-JSON API) answers its errors in JSON, as AWS does; moto 5.1.18 writes
    DescribeHub's InvalidAccessException ("not subscribed") as XML, which the Rust SDK cannot
    read a code from."""
    from moto.core.exceptions import JsonRESTError
    import moto.securityhub.models as securityhub

    securityhub.RESTError = JsonRESTError


def ecr_effective_scanning() -> None:
    """BatchGetRepositoryScanningConfiguration resolves a repository's scanning as AWS does: a
    registry without scanning filters leaves it to the repository's own scanOnPush (basic
    scanning on push, else manual), which moto 5.1.18 ignores (it answers MANUAL and
    scanOnPush false). With filters, moto's answer (a filter's frequency, else MANUAL) stands
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html)."""
    import moto.ecr.models as ecr

    batch_get = ecr.ECRBackend.batch_get_repository_scanning_configuration

    def batch_get_repository_scanning_configuration(self, names):  # type: ignore[no-untyped-def]
        configs, failing = batch_get(self, names)
        if self.registry_scanning_configuration["rules"]:
            return configs, failing
        resolved = []
        for config in configs:
            repository = self.repositories[config["repositoryName"]]
            on_push = bool(repository.image_scanning_configuration.get("scanOnPush"))
            frequency = "SCAN_ON_PUSH" if on_push else "MANUAL"
            resolved.append(dict(config, scanOnPush=on_push, scanFrequency=frequency))
        return resolved, failing

    ecr.ECRBackend.batch_get_repository_scanning_configuration = batch_get_repository_scanning_configuration


def behave_as_aws() -> None:
    """Every patch above that makes moto answer as AWS does (used by every emulator the tests
    start, this script's and the Lambda end-to-end test's)."""
    snapshots_filtered_as_aws()
    snapshot_block_public_access()
    lambda_function_url_listing()
    cloudfront_create_distribution_root()
    ssm_settings_and_compliance()
    answered_around_moto()
    launch_template_booleans_lowercase()
    newer_services_as_aws()
    inspector_account_status_as_aws()
    beanstalk_configuration_settings()
    macie_session_as_aws()
    securityhub_errors_as_json()
    ecr_effective_scanning()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_keep_alive(port: int) -> None:
    from waitress.server import create_server

    app = DomainDispatcherApplication(create_backend_app)
    # waitress stops accepting connections beyond 100 (its default) until idle ones time out;
    # an organization audit keeps more than that alive, as it may against AWS.
    server = create_server(app, host="127.0.0.1", port=port, threads=8, connection_limit=2000)
    threading.Thread(target=server.run, daemon=True).start()


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else free_port()
    behave_as_aws()
    if os.environ.get("SECAUDIT_MOTO_BUCKET_REGION"):
        list_bucket_regions()
    if os.environ.get("SECAUDIT_MOTO_KEEPALIVE"):
        serve_keep_alive(port)  # a daemon thread: it ends with this process
        stop = None
    else:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        stop = server.stop
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()
