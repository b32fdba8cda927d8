// The small fixed tenant the batch and query harnesses start from: the seed's products (E3 short
// of seats, E1 conflicting with E3, EMS), a member of both licensing groups, a user without a usage
// location, a shared proxy address, a nested group and a direct license. Short ids ("u1", "g2") so
// the dictionary and corpus can name them.
#pragma once

namespace gbl::fuzz {

inline constexpr const char* kFuzzTenant = R"({
  "organization": [{"id": "org", "displayName": "Contoso", "countryLetterCode": "US"}],
  "subscribedSkus": [
    {"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "skuPartNumber": "ENTERPRISEPACK",
     "prepaidUnits": {"enabled": 4, "warning": 1}},
    {"skuId": "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", "skuPartNumber": "EMS",
     "prepaidUnits": {"enabled": 6}},
    {"skuId": "18181a46-0d4e-45cd-891e-60aabd171b4e", "skuPartNumber": "STANDARDPACK",
     "prepaidUnits": {"enabled": 3}}
  ],
  "users": [
    {"id": "u1", "displayName": "Ana", "userPrincipalName": "ana@contoso.com", "accountEnabled": true,
     "usageLocation": "US", "proxyAddresses": ["SMTP:ana@contoso.com"]},
    {"id": "u2", "displayName": "Ben", "userPrincipalName": "ben@contoso.com", "accountEnabled": true,
     "usageLocation": "GB", "proxyAddresses": ["SMTP:ben@contoso.com"]},
    {"id": "u3", "displayName": "Cy", "userPrincipalName": "cy@contoso.com", "accountEnabled": true,
     "usageLocation": "US", "proxyAddresses": []},
    {"id": "u4", "displayName": "Di", "userPrincipalName": "di@contoso.com", "accountEnabled": false,
     "usageLocation": "FR", "proxyAddresses": ["SMTP:di@contoso.com", "smtp:DI@contoso.com"]},
    {"id": "u5", "displayName": "Ed", "userPrincipalName": "ed@contoso.com", "accountEnabled": true,
     "usageLocation": "US", "proxyAddresses": ["SMTP:ed@contoso.com"]},
    {"id": "u6", "displayName": "Flo", "userPrincipalName": "flo@contoso.com", "accountEnabled": true,
     "usageLocation": "US", "proxyAddresses": ["SMTP:shared@contoso.com"]},
    {"id": "u7", "displayName": "Gus", "userPrincipalName": "gus@contoso.com", "accountEnabled": true,
     "usageLocation": "US", "proxyAddresses": ["smtp:shared@contoso.com"],
     "assignedLicenses": [{"skuId": "18181a46-0d4e-45cd-891e-60aabd171b4e", "disabledPlans": []}]},
    {"id": "u8", "displayName": "Hal", "userPrincipalName": "hal@contoso.com", "accountEnabled": true,
     "usageLocation": null, "proxyAddresses": []}
  ],
  "groups": [
    {"id": "g1", "displayName": "HR Department", "securityEnabled": true, "mailEnabled": false,
     "groupTypes": [], "assignedLicenses": [], "members": ["u1", "u2", "u3", "u4", "u5", "u8"]},
    {"id": "g2", "displayName": "Kiosk users", "securityEnabled": true, "mailEnabled": false,
     "groupTypes": [], "members": ["u5", "u6"],
     "assignedLicenses": [{"skuId": "18181a46-0d4e-45cd-891e-60aabd171b4e", "disabledPlans": []}]},
    {"id": "g3", "displayName": "All staff", "securityEnabled": true, "mailEnabled": false,
     "groupTypes": [], "assignedLicenses": [], "members": ["g1", "u7"]},
    {"id": "g4", "displayName": "Sales", "securityEnabled": true, "mailEnabled": false,
     "groupTypes": [], "members": ["u6", "u7"],
     "assignedLicenses": [{"skuId": "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
                           "disabledPlans": ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5"]}]}
  ]
})";

}  // namespace gbl::fuzz
