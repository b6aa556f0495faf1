Feature: Company deregistration (企业注销), by situation (情形)
  The customs deregistration is part of the case only for a company filed with customs; a
  company without a customs filing never sees it, and it is never counted as refused.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And a company "杭州示例餐饮有限公司"

  Scenario: A company without a customs filing
    When the applicant opens a case of "company-deregistration" online
    And the applicant fills in the form:
      | field              | value |
      | has_customs_filing | false |
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case does not include "3301-HG-BGDWZX"
    And the case includes "330102-SW-ZXQS"

  Scenario: A company filed with customs
    When the applicant opens a case of "company-deregistration" online
    And the applicant fills in the form:
      | field              | value |
      | has_customs_filing | true  |
    And the applicant submits a complete application
    Then the case includes "3301-HG-BGDWZX"
