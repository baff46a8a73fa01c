"""Meta's node types and their field sets, as data: the fields each type has and those a call without `fields` gets.

`fields.py` projects a node onto a selection with these sets; nodes.py and phone_numbers_edge.py answer with them.
"""

WABA_TYPE, PHONE_TYPE = "WhatsAppBusinessAccount", "WhatsAppBusinessPhoneNumber"
# Meta's WhatsAppBusinessAccount fields (Graph reference; facebook-business's adobject; pywa's requests).
WABA_FIELDS = frozenset(
    [
        "id",
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "business_verification_status",
        "country",
        "ownership_type",
        "status",
        "health_status",
        "owner_business_info",
        "on_behalf_of_business_info",
        "owner_business",
        "is_enabled_for_insights",
        "creation_time",
        "primary_business_location",
        "primary_funding_id",
        "purchase_order_number",
        "subscribed_apps",
        "marketing_messages_lite_api_status",
        "marketing_messages_onboarding_status",
        "disable_marketing_messages_on_cloud_api",
        "is_shared_with_partners",
        "linked_commerce_account",
        "analytics",
        "auth_international_rate_eligibility",
        "marketing_messages_ad_account",
        "service_pricing_policy",
        "template_auto_archival_enabled",
        "whatsapp_business_manager_messaging_limit",
        "whatsapp_manager_marketing_messages_max_price_enroll_status",
    ]
)
WABA_DEFAULT_FIELDS = ("id", "name", "currency", "timezone_id", "message_template_namespace")
PHONE_FIELDS = frozenset(
    [
        "id",
        "display_phone_number",
        "verified_name",
        "code_verification_status",
        "quality_rating",
        "quality_score",
        "platform_type",
        "status",
        "throughput",
        "name_status",
        "new_name_status",
        "account_mode",
        "is_on_biz_app",
        "is_official_business_account",
        "official_business_account",
        "is_pin_enabled",
        "is_preverified_number",
        "search_visibility",
        "conversational_automation",
        "webhook_configuration",
        "health_status",
        "certificate",
        "new_certificate",
        "last_onboarded_time",
        "country_code",
        "country_dial_code",
        "messaging_limit_tier",
        "whatsapp_business_manager_messaging_limit",
        "eligibility_for_api_business_global_search",
        "new_display_name",
    ]
)
PHONE_DEFAULT_FIELDS = (
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
)
APP_FIELDS = frozenset({"id", "name", "link", "category", "namespace"})
APP_DEFAULT_FIELDS = ("link", "name", "id")
BUSINESS_FIELDS = frozenset({"id", "name", "verification_status", "link", "timezone_id"})
BUSINESS_DEFAULT_FIELDS = ("id", "name")
USER_FIELDS = frozenset({"id", "name"})
USER_DEFAULT_FIELDS = ("name", "id")
